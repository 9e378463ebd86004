/**
 * Cold-start wiring shared by every advisor function: the validated config, the S3 sink and
 * state store, and the SNS topic. Built once per container and reused by warm invocations.
 */
import { S3StateStore } from '../../lib/alert/state-store-s3';
import { loadConfigFile, parseConfigText } from '../../lib/config/load';
import { resolveAlerts, AlertSettings } from '../../lib/config/resolve';
import type { Config } from '../../lib/config/schema';
import { STATE_DEFAULTS } from '../../lib/config/defaults';
import { sinkFromConfig } from '../../lib/sinks/from-config';
import { makeS3Client } from '../../lib/sinks/s3';
import type { ReportSink } from '../../lib/sinks/types';
import { env } from '../constants';

export interface Runtime {
  config: Config;
  alerts: AlertSettings;
  sink?: ReportSink;
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
  const endpoint = env.s3Endpoint ?? config.reports?.endpoint;
  const region = config.reports?.region ?? env.region;
  // The stack's bucket (environment) replaces whatever bucket the config names.
  const sink = sinkFromConfig(config, { bucket: env.reportsBucket, endpoint, region });
  const stateBucket = env.stateBucket ?? config.state?.bucket ?? env.reportsBucket ?? config.reports?.bucket;
  const topicArn = env.topicArn ?? alerts.topicArn;
  return {
    config,
    alerts,
    sink,
    state: stateBucket
      ? new S3StateStore({ client: makeS3Client({ region, endpoint }), bucket: stateBucket, prefix: config.state?.prefix ?? STATE_DEFAULTS.prefix })
      : undefined,
    sns: topicArn ? { topicArn, region: alerts.region ?? env.region } : undefined,
  };
}
