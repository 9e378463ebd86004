/**
 * Cold-start wiring shared by every advisor function: the validated config, the S3 sink and
 * state store, and the SNS topic. Built once per container and reused by warm invocations.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { S3StateStore } from '../../lib/alert/state-store-s3';
import { loadConfigFile, parseConfigText } from '../../lib/config/load';
import { resolveAlerts, AlertSettings } from '../../lib/config/resolve';
import type { Config } from '../../lib/config/schema';
import { REPORT_DEFAULTS, STATE_DEFAULTS } from '../../lib/config/defaults';
import { makeS3Client, S3Sink } from '../../lib/sinks/s3';
import { env } from '../constants';

export interface Runtime {
  config: Config;
  alerts: AlertSettings;
  sink?: S3Sink;
  state?: S3StateStore;
  sns?: { topicArn: string; region?: string };
}

let cached: Runtime | undefined;

export function runtime(): Runtime {
  cached ??= build();
  return cached;
}

/** For tests that change the environment between invocations. */
export function resetRuntime(): void {
  cached = undefined;
}

function build(): Runtime {
  const config = env.configJson ? parseConfigText(env.configJson, 'PGSTEWARD_CONFIG') : loadConfigFile(env.configFile);
  const alerts = resolveAlerts(config);
  const bucket = env.reportsBucket ?? config.reports?.bucket;
  const stateBucket = env.stateBucket ?? config.state?.bucket ?? bucket;
  const endpoint = env.s3Endpoint ?? config.reports?.endpoint;
  const region = config.reports?.region ?? env.region;
  const client: S3Client | undefined = bucket || stateBucket ? makeS3Client({ region, endpoint }) : undefined;
  const topicArn = env.topicArn ?? alerts.topicArn;
  return {
    config,
    alerts,
    sink: bucket && client ? new S3Sink({ client, bucket, prefix: config.reports?.prefix ?? REPORT_DEFAULTS.prefix, region }) : undefined,
    state: stateBucket && client ? new S3StateStore({ client, bucket: stateBucket, prefix: config.state?.prefix ?? STATE_DEFAULTS.prefix }) : undefined,
    sns: topicArn ? { topicArn, region: alerts.region ?? env.region } : undefined,
  };
}
