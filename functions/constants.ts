/** Environment variables the stack sets, read once (never deep inside lib/). */
import { join } from 'node:path';

export const env = {
  /** Inline config JSON (tests, overrides); otherwise the file the stack bundles beside the handler. */
  configJson: process.env.PGSTEWARD_CONFIG,
  configFile: process.env.PGSTEWARD_CONFIG_FILE ?? join(__dirname, 'pgsteward.config.json'),
  reportsBucket: process.env.PGSTEWARD_REPORTS_BUCKET,
  stateBucket: process.env.PGSTEWARD_STATE_BUCKET,
  topicArn: process.env.PGSTEWARD_TOPIC_ARN,
  /** The stack's archive bucket (partitions function only); replaces the config's archive.bucket. */
  archiveBucket: process.env.PGSTEWARD_ARCHIVE_BUCKET,
  /** An S3-compatible endpoint (the bundle test's s3rver); unset in AWS. */
  s3Endpoint: process.env.PGSTEWARD_S3_ENDPOINT,
  region: process.env.AWS_REGION,
  /** Targets run at once inside one invocation. */
  concurrency: Number(process.env.PGSTEWARD_CONCURRENCY ?? 4),
};
