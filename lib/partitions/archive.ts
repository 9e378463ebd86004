/**
 * retentionMode "archive": a DETACHED partition is copied out as gzip'd JSONL (one
 * row_to_json object a line) with a manifest beside it, then read back and verified (row count
 * and SHA-256 of the uncompressed JSONL) before the caller may drop it. Rows are streamed from a
 * server-side cursor (DECLARE … CURSOR in a transaction, FETCH in batches) into a temp file, so
 * a large partition never sits in memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Db, quoteQualified } from '../pg';

export interface ArchiveManifest {
  table: string;
  partition: string;
  from: string | null;
  to: string | null;
  rows: number;
  sha256: string;
  format: 'jsonl.gz';
  createdAt: string;
}

/** Where archives go: S3 (the config's top-level `archive`) or a local directory (`--out DIR/archive`). */
export interface ArchiveStore {
  /** Human-readable location of a key (s3://bucket/key, a path). */
  location(key: string): string;
  putFile(key: string, path: string, contentType: string): Promise<void>;
  putText(key: string, text: string, contentType: string): Promise<void>;
  open(key: string): Promise<Readable>;
}

export class S3ArchiveStore implements ArchiveStore {
  constructor(private readonly opts: { client: S3Client; bucket: string }) {}
  location(key: string): string {
    return `s3://${this.opts.bucket}/${key}`;
  }
  async putFile(key: string, path: string, contentType: string): Promise<void> {
    const { size } = await stat(path);
    await this.opts.client.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: key, Body: createReadStream(path), ContentLength: size, ContentType: contentType }));
  }
  async putText(key: string, text: string, contentType: string): Promise<void> {
    await this.opts.client.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: key, Body: text, ContentType: contentType }));
  }
  async open(key: string): Promise<Readable> {
    const res = await this.opts.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: key }));
    if (!(res.Body instanceof Readable)) throw new Error(`s3://${this.opts.bucket}/${key}: no readable body`);
    return res.Body;
  }
}

export class LocalArchiveStore implements ArchiveStore {
  constructor(private readonly dir: string) {}
  location(key: string): string {
    return join(this.dir, key);
  }
  async putFile(key: string, path: string): Promise<void> {
    await mkdir(dirname(this.location(key)), { recursive: true });
    await finished(createReadStream(path).pipe(createWriteStream(this.location(key))));
  }
  async putText(key: string, text: string): Promise<void> {
    await mkdir(dirname(this.location(key)), { recursive: true });
    await writeFile(this.location(key), text);
  }
  async open(key: string): Promise<Readable> {
    await stat(this.location(key));
    return createReadStream(this.location(key));
  }
}

/** `<prefix>archive/<schema>.<parent>/<partition>.jsonl.gz` and `.manifest.json`. */
export function archiveKeys(prefix: string, schema: string, parent: string, partition: string): { data: string; manifest: string } {
  const base = `${prefix}archive/${schema}.${parent}/${partition}`;
  return { data: `${base}.jsonl.gz`, manifest: `${base}.manifest.json` };
}

export interface ArchiveTarget {
  /** The parent's schema (keys), and the partition's (the table read). */
  parentSchema: string;
  schema: string;
  parent: string;
  partition: string;
  from: string | null;
  to: string | null;
}

export interface ArchiveResult {
  manifest: ArchiveManifest;
  data: string;
  manifestLocation: string;
}

const FETCH_ROWS = 1000;

/** Copies the (detached) partition to the store, reads it back and verifies it; throws when anything is off. */
export async function archivePartition(db: Db, store: ArchiveStore, prefix: string, t: ArchiveTarget): Promise<ArchiveResult> {
  const keys = archiveKeys(prefix, t.parentSchema, t.parent, t.partition);
  const tmp = await mkdtemp(join(tmpdir(), 'pgsteward-archive-'));
  try {
    const file = join(tmp, 'data.jsonl.gz');
    const { rows, sha256 } = await dumpJsonl(db, quoteQualified(t.schema, t.partition), file);
    const manifest: ArchiveManifest = { table: `${t.parentSchema}.${t.parent}`, partition: t.partition, from: t.from, to: t.to, rows, sha256, format: 'jsonl.gz', createdAt: new Date().toISOString() };
    await store.putFile(keys.data, file, 'application/gzip');
    await store.putText(keys.manifest, `${JSON.stringify(manifest, null, 2)}\n`, 'application/json');
    await verify(store, keys, manifest);
    return { manifest, data: store.location(keys.data), manifestLocation: store.location(keys.manifest) };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function dumpJsonl(db: Db, table: string, file: string): Promise<{ rows: number; sha256: string }> {
  const hash = createHash('sha256');
  const gzip = createGzip();
  const out = gzip.pipe(createWriteStream(file));
  let rows = 0;
  try {
    await db.transaction(async () => {
      await db.query(`DECLARE pgsteward_archive NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM ${table} t`);
      for (;;) {
        const batch = await db.query<{ j: string }>(`FETCH ${FETCH_ROWS} FROM pgsteward_archive`);
        if (!batch.length) break;
        const text = batch.map((r) => `${r.j}\n`).join('');
        hash.update(text);
        rows += batch.length;
        if (!gzip.write(text)) await new Promise((r) => gzip.once('drain', r));
      }
      await db.query(`CLOSE pgsteward_archive`);
    });
  } finally {
    gzip.end();
    await finished(out);
  }
  return { rows, sha256: hash.digest('hex') };
}

async function verify(store: ArchiveStore, keys: { data: string; manifest: string }, expected: ArchiveManifest): Promise<void> {
  const stored = JSON.parse((await readAll(await store.open(keys.manifest))).toString('utf8')) as ArchiveManifest;
  if (stored.rows !== expected.rows || stored.sha256 !== expected.sha256) throw new Error(`the stored manifest ${store.location(keys.manifest)} does not match what was written`);
  const hash = createHash('sha256');
  let rows = 0;
  const gunzip = (await store.open(keys.data)).pipe(createGunzip());
  for await (const chunk of gunzip as AsyncIterable<Buffer>) {
    hash.update(chunk);
    for (const b of chunk) if (b === 0x0a) rows++;
  }
  const sha256 = hash.digest('hex');
  if (rows !== expected.rows || sha256 !== expected.sha256) {
    throw new Error(`read-back of ${store.location(keys.data)} does not verify (rows ${rows}, sha256 ${sha256}; expected rows ${expected.rows}, sha256 ${expected.sha256})`);
  }
}

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(parts);
}

export interface ArchiveDestination {
  store: ArchiveStore;
  /** Prepended to every key (`archive/…`). */
  prefix: string;
}

/** The destination of a run: the config's `archive.bucket` in S3, else `--out DIR` locally (DIR/archive/…); none without either. */
export function archiveDestinationFor(config: { bucket?: string; prefix?: string } | undefined, outDir: string | undefined, client: () => S3Client): ArchiveDestination | undefined {
  if (config?.bucket) return { store: new S3ArchiveStore({ client: client(), bucket: config.bucket }), prefix: config.prefix ?? '' };
  // Keys already start with `archive/`, so `--out DIR` archives land in DIR/archive/….
  if (outDir) return { store: new LocalArchiveStore(outDir), prefix: config?.prefix ?? '' };
  return undefined;
}
