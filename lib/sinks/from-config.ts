/** The report sink a config asks for: a local directory wins, else its S3 bucket, else none. */
import { REPORT_DEFAULTS } from '../config/defaults';
import type { Config } from '../config/schema';
import { LocalSink } from './local';
import { makeS3Client, S3Sink } from './s3';
import type { ReportSink } from './types';

export interface SinkOverrides {
  /** `--out DIR` (CLI). */
  dir?: string;
  /** The stack's bucket (Lambda environment), which replaces the config's. */
  bucket?: string;
  endpoint?: string;
  region?: string;
}

export function sinkFromConfig(config: Config, o: SinkOverrides = {}): ReportSink | undefined {
  if (o.dir) return new LocalSink(o.dir);
  const bucket = o.bucket ?? config.reports?.bucket;
  if (!bucket) return undefined;
  const region = config.reports?.region ?? o.region;
  return new S3Sink({
    client: makeS3Client({ region, endpoint: o.endpoint ?? config.reports?.endpoint }),
    bucket,
    prefix: config.reports?.prefix ?? REPORT_DEFAULTS.prefix,
    region,
  });
}
