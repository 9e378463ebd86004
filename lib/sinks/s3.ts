/** Reports in S3 (the Lambdas' sink). The only module besides lib/alert that writes to S3. */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3StateStore } from '../alert/state-store-s3';
import { PgstewardError } from '../errors';
import type { Advisor, Report, ReportBase, ReportLocation } from '../report/types';
import { updateCatalog } from './catalog';
import { indexKey, latestKey, reportKey } from './layout';
import { parsePointer, pointerFolders } from './pointer';
import type { LatestFilter, LatestPointer, RenderedReport, ReportSink } from './types';

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

export interface S3SinkOptions {
  client: S3Client;
  bucket: string;
  prefix: string;
  region?: string;
  now?: () => Date;
}

export class S3Sink implements ReportSink {
  readonly opts: S3SinkOptions;

  constructor(opts: S3SinkOptions) {
    // A prefix is a folder: "reports" and "reports/" name the same place (as the state store reads it).
    this.opts = { ...opts, prefix: opts.prefix && !opts.prefix.endsWith('/') ? `${opts.prefix}/` : opts.prefix };
  }

  /** The full object key of a key relative to the prefix. */
  key(relative: string): string {
    return `${this.opts.prefix}${relative}`;
  }

  /**
   * The bucket is private and presigned links die with the Lambda role's session (hours), so
   * people get the object's S3 console page: it works for anyone allowed to read the bucket,
   * and its "Open" button shows the HTML report in the browser.
   */
  consoleUrl(relative: string): string {
    const region = this.region();
    return `https://${region}.console.aws.amazon.com/s3/object/${this.opts.bucket}?region=${region}&bucketType=general&prefix=${encodeURIComponent(this.key(relative))}`;
  }

  /** The console's listing of a folder (older reports: advisor=X/target=T/). */
  folderConsoleUrl(relative: string): string {
    const region = this.region();
    return `https://${region}.console.aws.amazon.com/s3/buckets/${this.opts.bucket}?region=${region}&bucketType=general&prefix=${encodeURIComponent(this.key(relative))}&showversions=false`;
  }

  locate(report: ReportBase, opts: { html?: boolean } = {}): ReportLocation {
    const html = opts.html !== false;
    const s3 = (rel: string) => `s3://${this.opts.bucket}/${this.key(rel)}`;
    return {
      json: s3(reportKey(report, 'json')),
      markdown: s3(reportKey(report, 'md')),
      ...(html ? { html: s3(reportKey(report, 'html')) } : {}),
      consoleUrl: this.consoleUrl(reportKey(report, html ? 'html' : 'md')),
      index: s3(indexKey(report.target)),
      indexConsoleUrl: this.consoleUrl(indexKey(report.target)),
    };
  }

  async write(report: ReportBase, rendered: RenderedReport): Promise<ReportLocation> {
    await this.put(reportKey(report, 'json'), rendered.json, 'application/json');
    await this.put(reportKey(report, 'md'), rendered.markdown, 'text/markdown; charset=utf-8');
    if (rendered.html !== undefined) await this.put(reportKey(report, 'html'), rendered.html, 'text/html; charset=utf-8');
    return this.locate(report, { html: rendered.html !== undefined });
  }

  async updateLatest(report: Report, hasHtml: boolean): Promise<void> {
    await updateCatalog({
      docs: new S3StateStore({ client: this.opts.client, bucket: this.opts.bucket, prefix: this.opts.prefix }),
      writeText: (key, body, type) => this.put(key, body, type),
      links: { console: (k) => this.consoleUrl(k), folder: (k) => this.folderConsoleUrl(k) },
      now: this.opts.now ?? (() => new Date()),
    }, report, hasHtml);
  }

  async readLatest(advisor: Advisor, target: string): Promise<LatestPointer | undefined> {
    const text = await this.readText(latestKey(advisor, target));
    return text === undefined ? undefined : parsePointer(text, `s3://${this.opts.bucket}/${this.key(latestKey(advisor, target))}`);
  }

  async readReport(location: string): Promise<ReportBase | undefined> {
    const text = await this.readObject(this.objectKey(location));
    return text === undefined ? undefined : (JSON.parse(text) as ReportBase);
  }

  async listLatest(filter: LatestFilter = {}): Promise<LatestPointer[]> {
    const folders = await pointerFolders(filter, (prefix) => this.listFolders(prefix));
    const out: LatestPointer[] = [];
    for (const folder of folders) {
      const text = await this.readText(`${folder}latest.json`);
      if (text !== undefined) out.push(parsePointer(text, `s3://${this.opts.bucket}/${this.key(folder)}latest.json`));
    }
    return out;
  }

  /** An object by key relative to the prefix, or undefined when it does not exist. */
  readText(relative: string): Promise<string | undefined> {
    return this.readObject(this.key(relative));
  }

  private objectKey(location: string): string {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
    if (!m) return this.key(location);
    if (m[1] !== this.opts.bucket) throw new PgstewardError(`${location} is not in the reports bucket ${this.opts.bucket}`);
    return m[2];
  }

  private async readObject(key: string): Promise<string | undefined> {
    try {
      const out = await this.opts.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: key }));
      return (await out.Body?.transformToString('utf-8')) ?? '';
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404) return undefined;
      throw err;
    }
  }

  /** Sub-folders of a folder relative to the prefix, with a delimiter listing (one page per 1,000). */
  private async listFolders(relative: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.opts.client.send(new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: this.key(relative), Delimiter: '/', ContinuationToken: token }));
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix.slice(this.opts.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  private async put(relative: string, body: string, type: string): Promise<void> {
    await this.opts.client.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: this.key(relative), Body: body, ContentType: type }));
  }

  private region(): string {
    return this.opts.region ?? process.env.AWS_REGION ?? 'us-east-1';
  }
}
