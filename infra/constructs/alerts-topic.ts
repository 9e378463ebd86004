/**
 * The SNS topic alerts are published to. People and chat channels subscribe to it outside this
 * stack (email, Amazon Q Developer in chat applications), so it is created once and kept stable.
 * Encrypted with a customer-managed key because alert text names databases, objects and
 * sometimes query shapes; the key's default policy delegates to IAM in this account, so an IAM
 * grant (`grantPublish`) is all a function needs. CloudWatch alarms publish here too (the
 * watchers): a service principal has no IAM grant, so the key policy and the topic policy name
 * it. The AWS-managed key (alias/aws/sns) cannot be used for that: its policy cannot be changed
 * to let CloudWatch in (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
 */
import { ArnFormat, Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface AlertsTopicProps {
  /** Shown as the sender of email notifications. */
  displayName?: string;
}

export class AlertsTopic extends Construct {
  readonly key: kms.Key;
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlertsTopicProps = {}) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts pgsteward alerts at rest in SNS',
      // Yearly automatic rotation (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html).
      enableKeyRotation: true,
      // Deleting the key would make undelivered messages unreadable; keys are cheap to keep.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.displayName ?? 'pgsteward',
      masterKey: this.key,
      enforceSSL: true,
    });

    // CloudWatch needs the data key SNS makes to store the alarm's message
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions.html,
    // "Encrypted SNS topics"). In a key policy, Resource "*" means this key.
    const cloudwatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [cloudwatch],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    // Only alarms of this account, not any account's CloudWatch (confused deputy,
    // https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html).
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      principals: [cloudwatch],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': Stack.of(this).formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }));
  }

  get topicArn(): string {
    return this.topic.topicArn;
  }

  /**
   * sns:Publish on the topic plus the key actions SNS needs to encrypt the message for a
   * publisher: kms:GenerateDataKey* and kms:Decrypt
   * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#sns-what-permissions-for-sse).
   */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.topic.grantPublish(grantee);
  }
}
