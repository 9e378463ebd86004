/**
 * Where the partitions advisor copies a partition before dropping it (retentionMode "archive"):
 * a bucket of its own, so no lifecycle rule written for reports can ever reach it. Versioned
 * (an overwritten or deleted archive is still recoverable), never expired, private, TLS-only,
 * encrypted, with server access logs in the reports' access-log bucket. Retained when the stack
 * is deleted and never emptied by a provider function: the archive is the only copy of the data.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface ArchiveBucketProps {
  /** The config's `archive.prefix` ('' by default); archive keys are `<prefix>archive/…` (lib/partitions/archive.ts). */
  prefix: string;
  /** Server access logs go here (the reports' access-log bucket, SSE-S3 as log delivery requires). */
  accessLogs: s3.IBucket;
}

export class ArchiveBucket extends Construct {
  readonly bucket: s3.Bucket;
  /** The prefix every archive key starts with: `<archive.prefix>archive/`. */
  readonly keyPrefix: string;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps) {
    super(scope, id);
    this.keyPrefix = `${props.prefix}archive/`;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // SSE-S3 like the reports: whoever restores an archive needs no key grant.
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'archive-bucket/',
      // No lifecycle rules: archives never expire. Archives are single PutObject calls, so there
      // are no multipart uploads to abort either.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  get bucketName(): string {
    return this.bucket.bucketName;
  }

  /**
   * Write an archive and read it back to verify it, under the archive prefix only. No
   * s3:ListBucket: the function reads only keys it has just written, and no delete.
   */
  grantArchive(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:PutObject'],
      resourceArns: [this.bucket.arnForObjects(`${this.keyPrefix}*`)],
    });
  }
}
