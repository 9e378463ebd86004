/**
 * cdk-nag's AWS Solutions checks, and the findings we accept with a reason. Each acknowledgement
 * names one finding on one construct (cdk-nag 3 has no rule-wide suppression), so a new wildcard
 * or a new resource fails synth until someone explains it here.
 */
import { App, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import type { AdvisorFunction } from './constructs/advisor-function';
import type { AdvisorSchedule } from './constructs/advisor-schedule';
import type { FanOut } from './constructs/fan-out';
import type { PgstewardStack } from './stack';

export function registerNag(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/** How cdk-nag prints `{"Fn::GetAtt": [id, attr]}` in a finding id. */
function attRef(element: IConstruct | undefined, attribute: string): string {
  return `<${Stack.of(element!).getLogicalId(element as CfnElement)}.${attribute}>`;
}

export function acknowledgeNagFindings(stack: PgstewardStack): void {
  // Every advisor function has the same grants, built by the same construct: the same findings,
  // acknowledged on each function's own role and schedule so a new one still has to be explained.
  acknowledgeAdvisor(stack, stack.health, stack.healthSchedule, stack.healthRun);
  acknowledgeAdvisor(stack, stack.advise, stack.adviseSchedule, stack.adviseRun);
  acknowledgeAdvisor(stack, stack.partitions, stack.partitionsSchedule, stack.partitionsRun);
  // The fleet summary has the advisors' bucket and topic grants (never secrets, databases or a VPC).
  acknowledgeFunctionRole(stack, stack.summary);
  const { archive } = stack;
  Validations.of(stack.partitions.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${attRef(archive.bucket.node.defaultChild, 'Arn')}/${archive.keyPrefix}*]`,
    reason: 'Archive keys are made per retired partition (schema, table, partition), so they cannot be listed in advance; '
      + 'the wildcard stops at the archive prefix of this stack\'s own archive bucket and the actions are only GetObject/PutObject.',
  });
}

function acknowledgeAdvisor(stack: PgstewardStack, advisor: AdvisorFunction, schedule: AdvisorSchedule, run: FanOut): void {
  acknowledgeFunctionRole(stack, advisor);
  if (stack.settings.vpc) {
    Validations.of(advisor.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason: 'Lambda needs ec2:CreateNetworkInterface, DescribeNetworkInterfaces and DeleteNetworkInterface to attach the '
        + 'function to the configured subnets; these EC2 actions take no resource-level scoping, and AWS maintains the list as Lambda\'s needs change.',
    });
  }

  const invokeReason = 'Added by LambdaInvoke\'s grantInvoke to cover the versions and aliases of this one function; the state '
    + 'machine invokes the unqualified ARN and the wildcard cannot reach any other function.';
  Validations.of(run.stateMachine.role).acknowledge(
    { id: `AwsSolutions-IAM5[Resource::${attRef(advisor.fn.node.defaultChild, 'Arn')}:*]`, reason: invokeReason },
    { id: `AwsSolutions-IAM5[Resource::${attRef(stack.summary.fn.node.defaultChild, 'Arn')}:*]`, reason: invokeReason },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Log delivery to CloudWatch Logs (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, '
        + 'ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray (PutTraceSegments, '
        + 'PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) support no resource-level permissions; Step Functions '
        + 'documents them with Resource "*" (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html).',
    },
  );

  Validations.of(schedule.missedRuns).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter destination of the schedule (runs Scheduler could not start); '
      + 'a dead-letter queue for it would have nothing to catch.',
  });
}

/** The bucket-prefix and topic-key wildcards every function role built by AdvisorFunction has. */
function acknowledgeFunctionRole(stack: PgstewardStack, advisor: AdvisorFunction): void {
  const { reports } = stack;
  const bucketArn = attRef(reports.bucket.node.defaultChild, 'Arn');
  Validations.of(advisor.role).acknowledge(
    {
      id: `AwsSolutions-IAM5[Resource::${bucketArn}/${reports.reportsPrefix}*]`,
      reason: 'Report keys are made per run (target, advisor, time), so they cannot be listed in advance; '
        + 'the wildcard stops at the reports prefix of this stack\'s own bucket and the actions are only GetObject/PutObject.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::${bucketArn}/${reports.statePrefix}*]`,
      reason: 'Alert state keys are made per target and check; the wildcard stops at the state prefix of this '
        + 'stack\'s own bucket and the actions are only GetObject/PutObject.',
    },
    {
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'Publishing to an SSE-KMS topic needs kms:GenerateDataKey* and kms:Decrypt as the SNS documentation '
        + 'lists them (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html); the statement is limited to the alerts topic\'s own key.',
    },
  );
}
