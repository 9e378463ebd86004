/** Reports in S3 (the Lambdas' sink). The only module besides lib/alert that writes to S3. */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ReportBase, ReportLocation } from '../report/types';
import { reportKey } from './layout';
import type { RenderedReport, ReportSink } from './types';

export interface S3ClientOptions {
  region?: string;
  /** An S3-compatible endpoint (s3rver in tests, MinIO); real S3 needs none. */
  endpoint?: string;
}

export function makeS3Client(opts: S3ClientOptions = {}): S3Client {
  return new S3Client({
    region: opts.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(opts.endpoint
      ? {
        endpoint: opts.endpoint,
        forcePathStyle: true,
        // S3-compatible servers may store aws-chunked uploads verbatim; only send checksums when required.
        requestChecksumCalculation: 'WHEN_REQUIRED' as const,
        responseChecksumValidation: 'WHEN_REQUIRED' as const,
      }
      : {}),
  });
}

export class S3Sink implements ReportSink {
  constructor(private readonly opts: { client: S3Client; bucket: string; prefix: string; region?: string }) {}

  private key(report: ReportBase, format: 'json' | 'md'): string {
    return `${this.opts.prefix}${reportKey(report, format)}`;
  }

  locate(report: ReportBase): ReportLocation {
    const key = this.key(report, 'json');
    const region = this.opts.region ?? process.env.AWS_REGION ?? 'us-east-1';
    return {
      json: `s3://${this.opts.bucket}/${key}`,
      markdown: `s3://${this.opts.bucket}/${this.key(report, 'md')}`,
      // Presigned links die with the Lambda role's session; a console link works for anyone allowed to read.
      consoleUrl: `https://${region}.console.aws.amazon.com/s3/object/${this.opts.bucket}?region=${region}&prefix=${encodeURIComponent(key)}`,
    };
  }

  async write(report: ReportBase, rendered: RenderedReport): Promise<ReportLocation> {
    const put = (key: string, body: string, type: string) =>
      this.opts.client.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: key, Body: body, ContentType: type }));
    await put(this.key(report, 'json'), rendered.json, 'application/json');
    await put(this.key(report, 'md'), rendered.markdown, 'text/markdown; charset=utf-8');
    return this.locate(report);
  }
}
