/**
 * The one bucket the advisors write to: reports under one prefix (expired by a lifecycle rule)
 * and alert state under another (never expired: forgetting state would re-send every open
 * alert). Private, TLS-only, encrypted, with server access logs in a bucket of their own.
 * Both buckets are retained when the stack is deleted: reports and access logs are records,
 * and emptying a bucket would need a provider function (autoDeleteObjects) we do not want.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface ReportsBucketProps {
  /** Where reports go, e.g. `pgsteward/`; everything under it expires. */
  reportsPrefix: string;
  /** Where alert state goes, e.g. `pgsteward-state/`; never expires. */
  statePrefix: string;
  reportsExpireAfterDays: number;
}

/**
 * Access logs answer "who read this report" long after the fact; a year matches the usual audit
 * window and keeps the log bucket from growing without bound.
 */
const ACCESS_LOGS_EXPIRE_AFTER = Duration.days(365);
/** Parts of an interrupted upload are invisible but billed; a day is ample for a report upload to finish. */
const ABORT_INCOMPLETE_UPLOADS_AFTER = Duration.days(1);

export class ReportsBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly reportsPrefix: string;
  readonly statePrefix: string;

  constructor(scope: Construct, id: string, props: ReportsBucketProps) {
    super(scope, id);
    this.reportsPrefix = props.reportsPrefix;
    this.statePrefix = props.statePrefix;

    // S3 server access logs can only be delivered to an SSE-S3 bucket, not SSE-KMS
    // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: ACCESS_LOGS_EXPIRE_AFTER }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // SSE-S3 keeps readers simple (no key grants for whoever opens a report); the data are
      // database statistics, not table contents.
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'reports-bucket/',
      lifecycleRules: [
        {
          id: 'expire-reports',
          prefix: props.reportsPrefix,
          expiration: Duration.days(props.reportsExpireAfterDays),
          abortIncompleteMultipartUploadAfter: ABORT_INCOMPLETE_UPLOADS_AFTER,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  get bucketName(): string {
    return this.bucket.bucketName;
  }

  /** Read and write reports, nothing else. */
  grantReports(grantee: iam.IGrantable): iam.Grant {
    return this.grantPrefix(grantee, this.reportsPrefix);
  }

  /** Read and write alert state, nothing else. */
  grantState(grantee: iam.IGrantable): iam.Grant {
    return this.grantPrefix(grantee, this.statePrefix);
  }

  private grantPrefix(grantee: iam.IGrantable, prefix: string): iam.Grant {
    // Not bucket.grantReadWrite: it adds wildcard actions (s3:GetObject*, s3:Abort*, s3:List*)
    // the advisors never call.
    const objects = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:PutObject'],
      resourceArns: [this.bucket.arnForObjects(`${prefix}*`)],
    });
    // Without s3:ListBucket, reading a key that does not exist yet (the first run's state) is a
    // 403 instead of a 404 NoSuchKey (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html,
    // "Permissions"). It reveals key names in this stack's own bucket, no contents.
    iam.Grant.addToPrincipal({ grantee, actions: ['s3:ListBucket'], resourceArns: [this.bucket.bucketArn] });
    return objects;
  }
}
