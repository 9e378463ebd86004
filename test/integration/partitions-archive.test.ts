/**
 * retentionMode "archive" (real PostgreSQL, real s3rver) and moveDefaultRows: an archived
 * partition is dropped only once its copy reads back verified; a failing store drops nothing.
 * The maintainer runs as the restricted role, a member of the tables' owner (test/support/owner.ts).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Db, fromUrl } from '../../lib/pg';
import { ArchiveStore, S3ArchiveStore } from '../../lib/partitions/archive';
import { maintainTable } from '../../lib/partitions/maintain';
import { parsePolicy } from '../../lib/partitions/policy';
import { useTestDatabase } from '../support/db';
import { expectRestricted, useOwnerRole } from '../support/owner';
import { LocalS3, startS3 } from '../support/s3';

const t = useTestDatabase();
const owner = useOwnerRole(t);
let db: Db;
let s3: LocalS3;
const FAST = { attempts: 1, backoffMs: 10 };
const exists = async (name: string) => (await t.admin.query(`select to_regclass($1) is not null as e`, [name])).rows[0].e as boolean;
const attached = async (name: string) => (await t.admin.query(`select count(*)::int as n from pg_inherits where inhrelid = to_regclass($1)`, [name])).rows[0].n === 1;

async function oldTable(name: string, rows: number): Promise<void> {
  await t.admin.query(`
    create table ${name} (id bigint not null, at timestamptz not null, note text) partition by range (at);
    create table ${name}_ancient partition of ${name} for values from (now() - interval '60 days') to (now() - interval '40 days');
    insert into ${name}_ancient select g, now() - interval '50 days', 'row ' || g || E'\\nwith "quotes"' from generate_series(1, ${rows}) g;`);
  await owner.adopt();
}
const policy = (table: string) => parsePolicy({ table, column: 'at', interval: '1 day', premake: 1, retention: '30 days', retentionMode: 'archive' });
async function getObject(key: string): Promise<Buffer> {
  const res = await s3.client.send(new GetObjectCommand({ Bucket: 'arch', Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

beforeAll(async () => {
  s3 = await startS3({ buckets: ['arch'] });
  db = await Db.connect(fromUrl(t.stewardUrl), { statementTimeoutMs: 30_000, lockTimeoutMs: 2_000, connectTimeoutMs: 5_000 });
  await expectRestricted(db);
});
afterAll(async () => {
  await db?.close();
  await s3?.stop();
});

describe('retentionMode archive', () => {
  it('copies the partition to S3 as JSONL.gz with a manifest, verifies it, then drops it', async () => {
    await oldTable('arc_ok', 300);
    const out = await maintainTable(db, policy('arc_ok'), { ...FAST, archive: { store: new S3ArchiveStore({ client: s3.client, bucket: 'arch' }), prefix: 'pg/' } });
    expect(out.table.status).toBe('ok');
    expect(out.actions.filter((a) => a.partition === 'arc_ok_ancient').map((a) => `${a.action}:${a.status}`)).toEqual(['detach:done', 'archive:done', 'drop:done']);
    expect(await exists('arc_ok_ancient')).toBe(false);
    const manifest = JSON.parse((await getObject('pg/archive/public.arc_ok/arc_ok_ancient.manifest.json')).toString());
    expect(manifest).toMatchObject({ table: 'public.arc_ok', partition: 'arc_ok_ancient', rows: 300, format: 'jsonl.gz', createdAt: expect.any(String) });
    const jsonl = gunzipSync(await getObject('pg/archive/public.arc_ok/arc_ok_ancient.jsonl.gz'));
    expect(createHash('sha256').update(jsonl).digest('hex')).toBe(manifest.sha256);
    const lines = jsonl.toString().trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(300);
    expect(lines.find((r) => r.id === 7)).toMatchObject({ id: 7, note: 'row 7\nwith "quotes"' });
  });

  it('drops nothing when the read-back does not verify, and says why', async () => {
    await oldTable('arc_bad', 50);
    const real = new S3ArchiveStore({ client: s3.client, bucket: 'arch' });
    const corrupt: ArchiveStore = {
      location: (k) => real.location(k),
      putFile: (k, p, c) => real.putFile(k, p, c),
      putText: (k, x, c) => real.putText(k, x, c),
      open: async (k) => (k.endsWith('.jsonl.gz') ? Readable.from([require('node:zlib').gzipSync('{"id":1}\n')]) : real.open(k)),
    };
    const out = await maintainTable(db, policy('arc_bad'), { ...FAST, archive: { store: corrupt, prefix: '' } });
    expect(out.actions.filter((a) => a.partition === 'arc_bad_ancient').map((a) => `${a.action}:${a.status}`)).toEqual(['detach:done', 'archive:failed']);
    expect(out.findings.find((f) => f.check === 'maintenance_failed')?.message).toMatch(/does not verify.*not dropped: it stays detached/);
    expect(await exists('arc_bad_ancient')).toBe(true);
    expect(await attached('arc_bad_ancient')).toBe(false);
    expect((await t.admin.query(`select count(*)::int as n from arc_bad_ancient`)).rows[0].n).toBe(50);
  });

  it('drops nothing when S3 is down', async () => {
    await oldTable('arc_down', 20);
    const down = await startS3({ buckets: ['arch'] });
    const store = new S3ArchiveStore({ client: down.client, bucket: 'arch' });
    await down.stop();
    const out = await maintainTable(db, policy('arc_down'), { ...FAST, archive: { store, prefix: '' } });
    expect(out.actions.find((a) => a.action === 'archive')?.status).toBe('failed');
    expect(out.actions.some((a) => a.action === 'drop')).toBe(false);
    expect(out.findings.some((f) => /archive arc_down_ancient failed: .*not dropped/.test(f.message))).toBe(true);
    expect(await exists('arc_down_ancient')).toBe(true);
  });
});

describe('moveDefaultRows', () => {
  async function withDefault(name: string): Promise<void> {
    await t.admin.query(`
      create table ${name} (id int generated always as identity, at timestamptz not null, v text, doubled int generated always as (length(v) * 2) stored) partition by range (at);
      create table ${name}_default partition of ${name} default;
      insert into ${name} (at, v) select now() + interval '1 day', 'x' || g from generate_series(1, 25) g;
      insert into ${name} (at, v) values (now() + interval '30 days', 'far');
      analyze ${name}_default;`);
    await owner.adopt();
  }
  const children = async (table: string) => (await t.admin.query(`select count(*)::int as n from pg_inherits where inhparent = $1::regclass`, [table])).rows[0].n as number;

  it('moves rows of tomorrow out of DEFAULT in batches and creates the partition', async () => {
    await withDefault('mv_on');
    const out = await maintainTable(db, parsePolicy({ table: 'mv_on', column: 'at', interval: '1 day', premake: 2, moveDefaultRows: true }), { ...FAST, moveBatchRows: 10 });
    expect(out.table.status).toBe('ok');
    expect(out.findings).toEqual([]);
    expect(out.actions.every((a) => a.status === 'done')).toBe(true);
    expect(await children('mv_on')).toBe(4);
    expect((await t.admin.query(`select count(*)::int as n from mv_on_default`)).rows[0].n).toBe(1);
    const { rows } = await t.admin.query(`select tableoid::regclass::text as part, count(*)::int as n, sum(doubled)::int as d from mv_on where at < now() + interval '2 days' group by 1`);
    expect(rows).toEqual([{ part: expect.stringMatching(/^mv_on_p\d{8}$/), n: 25, d: expect.any(Number) }]);
  });

  it('leaves the rows and reports when disabled', async () => {
    await withDefault('mv_off');
    const out = await maintainTable(db, parsePolicy({ table: 'mv_off', column: 'at', interval: '1 day', premake: 2 }), FAST);
    expect(out.findings.map((f) => f.check)).toContain('default_partition_rows');
    expect((await t.admin.query(`select count(*)::int as n from mv_off_default`)).rows[0].n).toBe(26);
  });
});
