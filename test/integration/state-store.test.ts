import { mkdtemp, readFile, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ClientResolvedConfig, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-s3';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { StateConflictError, StateStore } from '../../lib/alert/state-store';
import { LocalStateStore } from '../../lib/alert/state-store-local';
import { S3StateStore } from '../../lib/alert/state-store-s3';
import { updateState } from '../../lib/alert/state-update';
import { LocalS3, startS3 } from '../support/s3';

const NAME = 'health/prod-db';

/** Appends `item` to doc.items: the kind of update two overlapping runs must not lose. */
const append = (item: string) => (prev: unknown) => {
  const items = [...((prev as { items?: string[] } | undefined)?.items ?? []), item];
  return { doc: { items }, result: items.length };
};

/** What both stores do against a real backend (s3rver cannot check conditions: see below). */
function behavesAsAStateStore(make: () => StateStore) {
  it('round-trips a document and its version', async () => {
    const store = make();
    expect(await store.load(NAME)).toEqual({});

    await store.save(NAME, { a: 1 });
    const loaded = await store.load(NAME);

    expect(loaded.doc).toEqual({ a: 1 });
    expect(typeof loaded.version).toBe('string');
  });
}

describe('LocalStateStore', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'pgsteward-state-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  behavesAsAStateStore(() => new LocalStateStore(dir));

  it('creates only if absent when no version is expected', async () => {
    const store = new LocalStateStore(dir);
    await store.save(NAME, { first: true });

    await expect(store.save(NAME, { second: true })).rejects.toBeInstanceOf(StateConflictError);
    expect((await store.load(NAME)).doc).toEqual({ first: true });
  });

  it('writes <dir>/<name>.json, creating sub-directories', async () => {
    await new LocalStateStore(dir).save(NAME, { a: 1 });

    expect(JSON.parse(await readFile(join(dir, 'health', 'prod-db.json'), 'utf8'))).toEqual({ a: 1 });
  });

  it('refuses a save on a stale version', async () => {
    // Prepare: two readers of the same version; one of them saves first
    const store = new LocalStateStore(dir);
    await store.save(NAME, { n: 0 });
    const { version } = await store.load(NAME);
    await store.save(NAME, { n: 1 }, version);

    // Act / Assess
    await expect(store.save(NAME, { n: 2 }, version)).rejects.toBeInstanceOf(StateConflictError);
    expect((await store.load(NAME)).doc).toEqual({ n: 1 });
  });

  it('returns unparsable content as text, so migrateState can say why it is discarded', async () => {
    await mkdir(join(dir, 'health'), { recursive: true });
    await writeFile(join(dir, 'health', 'prod-db.json'), '{"truncated":');

    expect((await new LocalStateStore(dir).load(NAME)).doc).toBe('{"truncated":');
  });

  it('removes a lock left by a crashed run once it is stale', async () => {
    // Prepare: a lock file 60 s old
    const store = new LocalStateStore(dir);
    await mkdir(join(dir, 'health'), { recursive: true });
    const lock = join(dir, 'health', 'prod-db.json.lock');
    await writeFile(lock, '999999\n');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);

    // Act / Assess
    await store.save(NAME, { ok: true });
    expect((await store.load(NAME)).doc).toEqual({ ok: true });
  });

  it('rejects a state name that would escape the directory', async () => {
    await expect(new LocalStateStore(dir).save('../outside', {})).rejects.toThrow(/invalid state name/);
  });

  it('keeps both of two overlapping updates (updateState retries after a conflict)', async () => {
    // Prepare: both runs read the same (empty) state before either writes
    const store = new LocalStateStore(dir);
    let release!: () => void;
    const bothRead = new Promise<void>((r) => (release = r));
    let reads = 0;
    const overlapping = (item: string) => async (prev: unknown) => {
      if (++reads === 2) release();
      await bothRead;
      return append(item)(prev);
    };

    // Act
    const results = await Promise.all([updateState(store, NAME, overlapping('run-a')), updateState(store, NAME, overlapping('run-b'))]);

    // Assess: one of them had to re-read (3 reads in all), and neither item was lost
    expect(reads).toBe(3);
    const doc = (await store.load(NAME)).doc as { items: string[] };
    expect(doc.items.sort()).toEqual(['run-a', 'run-b']);
    expect(results.sort()).toEqual([1, 2]);
  });

  it('keeps every one of many overlapping updates', async () => {
    const store = new LocalStateStore(dir);

    await Promise.all(Array.from({ length: 5 }, (_, i) => updateState(store, NAME, append(`run-${i}`), { retries: 10 })));

    expect(((await store.load(NAME)).doc as { items: string[] }).items).toHaveLength(5);
  });
});

describe('S3StateStore against s3rver', () => {
  let s3: LocalS3;
  const BUCKET = 'pgsteward-state';
  let run = 0;
  beforeAll(async () => {
    s3 = await startS3();
    await s3.createBucket(BUCKET);
  });
  afterAll(() => s3?.stop());

  // A fresh prefix per store: s3rver keeps objects for the whole file.
  behavesAsAStateStore(() => new S3StateStore({ client: s3.client, bucket: BUCKET, prefix: `t${++run}` }));

  it('stores <prefix>/<name>.json and versions it by ETag', async () => {
    const store = new S3StateStore({ client: s3.client, bucket: BUCKET, prefix: `t${++run}/` });

    await store.save(NAME, { a: 1 });

    expect((await store.load(NAME)).version).toMatch(/^"[0-9a-f]+"$/);
    const raw = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `t${run}/health/prod-db.json` }));
    expect(JSON.parse(await raw.Body!.transformToString())).toEqual({ a: 1 });
  });

  it('replaces the document when saved with the version it was loaded at', async () => {
    const store = new S3StateStore({ client: s3.client, bucket: BUCKET, prefix: `t${++run}` });
    await store.save(NAME, { n: 0 });
    const { version } = await store.load(NAME);

    await store.save(NAME, { n: 1 }, version);

    expect((await store.load(NAME)).doc).toEqual({ n: 1 });
  });
});

describe('S3StateStore conditional writes (mocked S3: s3rver ignores If-Match/If-None-Match)', () => {
  // Created here, not at file load: mockClient patches every S3Client, s3rver's one included.
  let s3mock: AwsStub<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>;
  beforeAll(() => (s3mock = mockClient(S3Client)));
  beforeEach(() => s3mock.reset());
  afterAll(() => s3mock.restore());

  const preconditionFailed = () => Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
  const body = (doc: unknown) => ({ transformToString: async () => JSON.stringify(doc) }) as never;

  it('sends If-Match with the loaded ETag, and If-None-Match: * when creating', async () => {
    s3mock.on(PutObjectCommand).resolves({ ETag: '"new"' });
    const store = new S3StateStore({ client: new S3Client({ region: 'us-east-1' }), bucket: 'b', prefix: 'state' });

    await store.save(NAME, { a: 1 }, '"abc"');
    await store.save(NAME, { a: 1 });

    const calls = s3mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(calls[0]).toMatchObject({ Bucket: 'b', Key: 'state/health/prod-db.json', IfMatch: '"abc"' });
    expect(calls[0].IfNoneMatch).toBeUndefined();
    expect(calls[1]).toMatchObject({ IfNoneMatch: '*' });
    expect(calls[1].IfMatch).toBeUndefined();
  });

  it('maps 412 PreconditionFailed to StateConflictError: a stale version, or creating what exists', async () => {
    s3mock.on(PutObjectCommand).rejects(preconditionFailed());
    const store = new S3StateStore({ client: new S3Client({ region: 'us-east-1' }), bucket: 'b' });

    await expect(store.save(NAME, {}, '"stale"')).rejects.toThrow(/its ETag changed/);
    await expect(store.save(NAME, {})).rejects.toThrow(/it already exists/);
    await expect(store.save(NAME, {})).rejects.toBeInstanceOf(StateConflictError);
  });

  it('maps 409 ConditionalRequestConflict to StateConflictError, and leaves other errors alone', async () => {
    const conflict = Object.assign(new Error('conflict'), { name: 'ConditionalRequestConflict', $metadata: { httpStatusCode: 409 } });
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    s3mock.on(PutObjectCommand).rejectsOnce(conflict).rejectsOnce(denied);
    const store = new S3StateStore({ client: new S3Client({ region: 'us-east-1' }), bucket: 'b' });

    await expect(store.save(NAME, {})).rejects.toBeInstanceOf(StateConflictError);
    await expect(store.save(NAME, {})).rejects.toThrow('Access Denied');
  });

  it('treats NoSuchKey on load as no document', async () => {
    s3mock.on(GetObjectCommand).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }));

    expect(await new S3StateStore({ client: new S3Client({ region: 'us-east-1' }), bucket: 'b' }).load(NAME)).toEqual({});
  });

  it('re-reads and re-applies the update after a 412, keeping the other run\'s write', async () => {
    // Prepare: we read version "v1"; another run saves "v2" (with item run-a) before us
    s3mock
      .on(GetObjectCommand)
      .resolvesOnce({ Body: body({ items: [] }), ETag: '"v1"' })
      .resolvesOnce({ Body: body({ items: ['run-a'] }), ETag: '"v2"' });
    s3mock.on(PutObjectCommand, { IfMatch: '"v1"' }).rejects(preconditionFailed());
    s3mock.on(PutObjectCommand, { IfMatch: '"v2"' }).resolves({ ETag: '"v3"' });
    const store = new S3StateStore({ client: new S3Client({ region: 'us-east-1' }), bucket: 'b' });

    // Act
    const result = await updateState(store, NAME, append('run-b'));

    // Assess
    expect(result).toBe(2);
    const puts = s3mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.IfMatch)).toEqual(['"v1"', '"v2"']);
    expect(JSON.parse(String(puts[1].Body))).toEqual({ items: ['run-a', 'run-b'] });
  });

  it('gives up with the conflict after the allowed retries', async () => {
    s3mock.on(GetObjectCommand).callsFake(async () => ({ Body: body({ items: [] }), ETag: '"always-stale"' }));
    s3mock.on(PutObjectCommand).rejects(preconditionFailed());
    const store = new S3StateStore({ client: new S3Client({ region: 'us-east-1' }), bucket: 'b' });

    await expect(updateState(store, NAME, append('x'), { retries: 2 })).rejects.toBeInstanceOf(StateConflictError);
    expect(s3mock.commandCalls(PutObjectCommand)).toHaveLength(3);
  });
});
