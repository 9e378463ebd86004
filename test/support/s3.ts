/**
 * A real (local) S3 for integration tests: s3rver on a free loopback port, storing objects in a
 * fresh temp directory that is removed on stop(). See FIELD-NOTES "AWS services seen from here"
 * for why the client needs its checksum settings, and for what s3rver does NOT emulate
 * (conditional PUT headers: test those with aws-sdk-client-mock).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { recordTree } from './secret-capture';

/** The part of s3rver's (untyped, CommonJS) API we use. */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverCtor = new (options: {
  port: number;
  address: string;
  directory: string;
  silent: boolean;
  configureBuckets?: { name: string; configs?: unknown[] }[];
}) => S3rverInstance;
// s3rver ships no typings; a typed require keeps them in this one file instead of a global .d.ts.
const S3rver: S3rverCtor = require('s3rver');

export interface LocalS3 {
  /** e.g. http://127.0.0.1:41234 */
  endpoint: string;
  /** A client configured for this server (path-style, S3RVER credentials). */
  client: S3Client;
  createBucket(name: string): Promise<void>;
  /** Closes the server and the client and deletes the temp directory. */
  stop(): Promise<void>;
}

/** An S3Client that talks to s3rver without corrupting uploads. */
export function makeS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    // s3rver serves buckets as paths; virtual-host names would need DNS for <bucket>.127.0.0.1.
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // Without these, SDK 3.7xx+ streams uploads with aws-chunked framing that s3rver stores
    // verbatim: the object is silently corrupt (field notes).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function startS3(options: { buckets?: string[] } = {}): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'pgsteward-s3rver-'));
  const server = new S3rver({
    // Port 0: the OS picks a free port, so parallel jest workers never collide.
    port: 0,
    address: '127.0.0.1',
    directory,
    silent: true,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = makeS3Client(endpoint);
  let stopped = false;

  return {
    endpoint,
    client,
    async createBucket(name: string) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      client.destroy();
      // The SDK keeps connections alive; without this, close() waits for them to time out.
      server.httpServer?.closeAllConnections();
      await server.close();
      // Every stored object goes to the suite-wide secret check before the store is deleted.
      recordTree(directory, 's3rver');
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** The keys under `prefix`, sorted. */
export async function listKeys(s3: LocalS3, bucket: string, prefix: string): Promise<string[]> {
  const out = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

/** An object's body as UTF-8 text. */
export async function getText(s3: LocalS3, bucket: string, key: string): Promise<string> {
  const out = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToString('utf-8');
}
