/**
 * State in S3: `s3://<bucket>/<prefix><name>.json`, versioned by ETag.
 *
 * S3 conditional writes make this a real compare-and-swap: PutObject with `If-Match: <etag>`
 * replaces only the version we read, and `If-None-Match: *` creates only if absent. S3 answers
 * 412 PreconditionFailed when the condition does not hold, and 409 ConditionalRequestConflict
 * when another conditional write on the key is in flight; both mean "re-read and retry".
 * (S3 User Guide, "Conditional requests"; PutObject API reference.)
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { checkStateName, LoadedState, parseStored, StateConflictError, StateStore } from './state-store';

export interface S3StateStoreOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix, e.g. `state/`; a missing trailing slash is added. */
  prefix?: string;
}

interface AwsError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

export class S3StateStore implements StateStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(options: S3StateStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    const p = options.prefix ?? '';
    this.prefix = p && !p.endsWith('/') ? `${p}/` : p;
  }

  async load(name: string): Promise<LoadedState> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
      const text = (await out.Body?.transformToString('utf-8')) ?? '';
      return { doc: parseStored(text), version: out.ETag };
    } catch (err) {
      if (isNotFound(err)) return {};
      throw err;
    }
  }

  async save(name: string, doc: unknown, expectedVersion?: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key(name),
          Body: `${JSON.stringify(doc, null, 2)}\n`,
          ContentType: 'application/json',
          ...(expectedVersion !== undefined ? { IfMatch: expectedVersion } : { IfNoneMatch: '*' }),
        }),
      );
    } catch (err) {
      if (isConflict(err)) {
        const what = expectedVersion === undefined ? 'it already exists' : 'its ETag changed';
        throw new StateConflictError(name, what, { cause: err });
      }
      throw err;
    }
  }

  private key(name: string): string {
    return `${this.prefix}${checkStateName(name)}.json`;
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as AwsError;
  return e?.name === 'NoSuchKey' || e?.Code === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

function isConflict(err: unknown): boolean {
  const e = err as AwsError;
  const status = e?.$metadata?.httpStatusCode;
  return e?.name === 'PreconditionFailed' || e?.name === 'ConditionalRequestConflict' || status === 412 || status === 409;
}
