/**
 * Advisor stage 1 (collect): real workloads in the test database (run by the superuser, the
 * "application"), read back from pg_stat_statements as the restricted role of sql/roles.sql and as
 * a role without pg_read_all_stats. pg_stat_statements is cluster-wide, but collect() only reads this file's
 * database (dbid), so parallel test files cannot disturb the assertions. Resets are simulated with
 * made-up previous snapshots: pg_stat_statements_reset() would wipe every other file's entries.
 */
import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import { Db, fromUrl } from '../../lib/pg';
import { collect, CollectResult, CollectSettings, judgeStatements, collectSettings, readSnapshot, StatementsSnapshot } from '../../lib/advisor/collect';
import { classifyText, ExtensionMissingError, pgssFeatures, statementsSql, StatsPrivilegeError, UnsupportedVersionError, StatementsRead } from '../../lib/advisor/collect-sql';
import { ConfigError } from '../../lib/errors';
import { useTestDatabase } from '../support/db';
import { registerSecret } from '../support/secret-capture';

const t = useTestDatabase();
const HOUR = 3_600_000;

// The advisor reads as pgsteward; only the workloads and fixtures run as the superuser.
beforeAll(() => t.applyRoleScript());

async function collectAs(url: string, settings: Partial<CollectSettings> = {}, previous?: StatementsSnapshot, now = new Date()): Promise<CollectResult> {
  const db = await Db.connect(fromUrl(url), { statementTimeoutMs: 10_000, lockTimeoutMs: 1_000, connectTimeoutMs: 5_000 });
  try {
    return await collect(db, settings, previous, now);
  } finally {
    await db.close();
  }
}

/** Runs `sql` `times` times on its own session (the application, as pg_stat_statements sees it). */
async function run(c: Client, sql: string, times: number, values: unknown[] = []): Promise<void> {
  for (let i = 0; i < times; i++) await c.query(sql, values);
}

/** Statements naming `table` (as a whole word: priv_items must not match iv_items). */
const names = (query: string, table: string) => new RegExp(`\\b${table}\\b`).test(query);
/** The queryid pg_stat_statements gave a text of this database (LIKE pattern). */
async function queryidOf(pattern: string): Promise<string> {
  const { rows } = await t.admin.query(`select queryid::text as id from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database()) and query like $1`, [pattern]);
  expect(rows).toHaveLength(1);
  return rows[0].id;
}
const about = (r: CollectResult, table: string) => r.statements.filter((s) => names(s.query, table));
const skippedAbout = (r: CollectResult, table: string) => r.skipped.filter((s) => names(s.query, table));

describe('advisor collect: ranking and thresholds', () => {
  it('ranks by total execution time and keeps only the top statements', async () => {
    await t.admin.query(`create table rank_orders (id serial primary key, customer_id int, status text, total numeric, pad text)`);
    await t.admin.query(`insert into rank_orders (customer_id, status, total, pad) select g % 5000, (array['new','paid','sent'])[g % 3 + 1], g % 977, repeat('x', 40) from generate_series(1, 60000) g`);
    await t.admin.query(`analyze rank_orders`);
    const app = await t.session();
    await run(app, `select customer_id, sum(total) from rank_orders where status = $1 group by customer_id order by 2 desc`, 8, ['paid']);
    await run(app, `select count(*) from rank_orders where customer_id = $1`, 3, [42]);
    await run(app, `select * from rank_orders where id = $1`, 5, [7]);

    const all = await collectAs(t.stewardUrl, { minMeanTimeMs: 0 });
    expect(all.source).toBe('cumulative');
    expect(all.note).toContain('no previous snapshot');
    const totals = all.statements.map((s) => s.totalExecMs);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    const mine = about(all, 'rank_orders');
    expect(mine.map((s) => s.calls).sort()).toEqual([3, 5, 8]);
    const [heavy] = mine.filter((s) => s.query.includes('group by'));
    expect(heavy).toMatchObject({ user: 'postgres', calls: 8, source: 'cumulative', queryid: expect.stringMatching(/^-?\d+$/) });
    expect(heavy.meanExecMs).toBeCloseTo(heavy.totalExecMs / 8, 6);
    expect(heavy.sharedBlksHit + heavy.sharedBlksRead).toBeGreaterThan(0);
    // The aggregate over 60k rows outweighs a primary-key lookup by orders of magnitude.
    expect(mine.indexOf(heavy)).toBeLessThan(mine.findIndex((s) => s.query.includes('where id =')));

    const top1 = await collectAs(t.stewardUrl, { minMeanTimeMs: 0, top: 1 });
    expect(top1.statements).toHaveLength(1);
    expect(top1.statements[0].totalExecMs).toBe(Math.max(...top1.statements.concat(all.statements).filter((s) => s.queryid === top1.statements[0].queryid).map((s) => s.totalExecMs)));
    expect(top1.skipped.filter((s) => s.reason === 'beyond-top').length).toBeGreaterThanOrEqual(2);
    expect(top1.skipped.find((s) => s.reason === 'beyond-top')?.detail).toMatch(/^ranked 2 by total time \(top 1 kept\)$/);
  });

  it('the restricted role from sql/roles.sql sees every role\'s statements with their texts (pg_monitor includes pg_read_all_stats)', async () => {
    const r = await collectAs(t.stewardUrl, { minMeanTimeMs: 0 });
    expect(about(r, 'rank_orders').map((s) => s.calls).sort()).toEqual([3, 5, 8]);
    expect(about(r, 'rank_orders').every((s) => s.user === 'postgres' && !s.query.includes('<insufficient privilege>'))).toBe(true);
    expect(r.skipped.filter((s) => s.reason === 'unsupported')).toEqual([]);
  });

  it('skips, with a reason each: utility, pgsteward, catalog-only, below-min-calls, below-min-mean-time', async () => {
    await t.admin.query(`create table skip_items (id int primary key, name text)`);
    await t.admin.query(`insert into skip_items select g, 'n' || g from generate_series(1, 50) g`);
    const app = await t.session();
    await run(app, `vacuum skip_items`, 2);
    await run(app, `do $$ begin perform 'secret-do-not-report'; end $$`, 2);
    await run(app, `select relname from pg_class where relname = $1`, 3, ['skip_items']);
    await run(app, `select count(*) from information_schema.tables where table_name = $1`, 2, ['skip_items']);
    await run(app, `select c.relname from pg_class c, skip_items s where c.oid = s.id`, 2);
    await run(app, `select name from skip_items where id > $1 and name <> $2`, 1, [3, 'x']);
    await run(app, `select name from skip_items where id = $1`, 3, [3]);
    // Through Db (tagged), as any pgsteward statement would be; re-running the role script grants
    // it SELECT on the new table, as README says to after creating objects.
    t.applyRoleScript();
    const db = await Db.connect(fromUrl(t.stewardUrl), { statementTimeoutMs: 10_000, lockTimeoutMs: 1_000, connectTimeoutMs: 5_000 });
    await db.query(`select count(*) from skip_items where name like $1`, ['n%']);
    await db.query(`select count(*) from skip_items where name like $1`, ['n%']);
    await db.close();

    const r = await collectAs(t.stewardUrl);
    const reasons = (table: string) => skippedAbout(r, table).map((s) => s.reason);
    const find = (pred: (q: string) => boolean) => r.skipped.filter((s) => pred(s.query));
    // Utility texts are not normalized (a DO block or a password stays verbatim): only the command is shown.
    expect(find((q) => q.startsWith('VACUUM'))).toEqual([expect.objectContaining({ reason: 'utility', query: 'VACUUM SKIP_ITEMS …' })]);
    const doId = await queryidOf('%secret-do-not-report%');
    expect(r.skipped.filter((s) => s.queryid === doId)).toEqual([expect.objectContaining({ reason: 'utility', query: 'DO …' })]);
    expect(JSON.stringify(r.skipped)).not.toContain('secret-do-not-report');
    expect(find((q) => q.includes('name like'))).toEqual([expect.objectContaining({ reason: 'pgsteward' })]);
    expect(find((q) => q.includes('from pg_class where relname'))).toEqual([expect.objectContaining({ reason: 'catalog-only', detail: 'reads only pg_class' })]);
    expect(find((q) => q.includes('information_schema.tables'))).toEqual([expect.objectContaining({ reason: 'catalog-only' })]);
    expect(find((q) => q.includes('where id > $1'))).toEqual([expect.objectContaining({ reason: 'below-min-calls', detail: '1 calls (fewer than 2)' })]);
    expect(find((q) => q.includes('where id = $1') && q.includes('skip_items'))).toEqual([expect.objectContaining({ reason: 'below-min-mean-time' })]);
    // A catalog table joined with a user table is not catalog-only.
    expect(reasons('pg_class c, skip_items')).not.toContain('catalog-only');
    // collect's own statements are tagged, so they never rank.
    expect(r.statements.filter((s) => s.query.includes('pgsteward'))).toEqual([]);
    expect(r.skipped.filter((s) => s.reason === 'pgsteward' && s.query.includes('pg_stat_statements')).length).toBeGreaterThan(0);
  });
});

describe('advisor collect: privileges', () => {
  it('a role without pg_read_all_stats gets an error naming the GRANT when nothing of its own is left', async () => {
    const role = `nostats_${randomBytes(4).toString('hex')}`;
    const password = `nostats-pw-${randomBytes(4).toString('hex')}`;
    // Errors and reports naming this role must not carry its password (support/secret-capture.ts).
    registerSecret(password);
    await t.admin.query(`create role ${role} login password '${password}'`);
    try {
      const url = `postgres://${role}:${password}@${t.cluster.host}:${t.cluster.port}/${t.name}`;
      const err = await collectAs(url).catch((e) => e);
      expect(err).toBeInstanceOf(StatsPrivilegeError);
      expect(err.message).toContain(`GRANT pg_read_all_stats TO ${role};`);
      expect(err.code).toBe('42501');

      // With statements of its own, it advises on those and counts the hidden ones as skipped.
      await t.admin.query(`create table priv_items (id int, v int)`);
      await t.admin.query(`grant select on priv_items to ${role}`);
      const own = new Client({ connectionString: url });
      await own.connect();
      await run(own, `select count(*) from priv_items where v > $1`, 3, [1]);
      await own.end();
      const r = await collectAs(url, { minMeanTimeMs: 0 });
      expect(about(r, 'priv_items')).toEqual([expect.objectContaining({ user: role, calls: 3 })]);
      const hidden = r.skipped.filter((s) => s.reason === 'unsupported');
      expect(hidden.length).toBeGreaterThan(0);
      expect(hidden[0]).toMatchObject({ query: '<insufficient privilege>', detail: expect.stringContaining(`GRANT pg_read_all_stats TO ${role};`) });
      expect(r.note).toContain(`GRANT pg_read_all_stats TO ${role};`);
    } finally {
      await t.admin.query(`drop owned by ${role}`).catch(() => undefined);
      await t.admin.query(`drop role ${role}`).catch(() => undefined);
    }
  });
});

describe('advisor collect: interval or cumulative', () => {
  const q = `select count(*) from iv_items where v = $1`;
  const ofQ = (r: CollectResult) => about(r, 'iv_items')[0];
  let first: CollectResult;
  const t0 = new Date();
  const at = (ms: number) => new Date(t0.getTime() + ms);

  beforeAll(async () => {
    await t.admin.query(`create table iv_items (id int, v int)`);
    const app = await t.session();
    await run(app, q, 3, [1]);
    first = await collectAs(t.stewardUrl, { minMeanTimeMs: 0 }, undefined, t0);
    await run(app, q, 4, [2]);
  });

  it('uses the difference since the previous snapshot when it is old enough', async () => {
    expect(ofQ(first)).toMatchObject({ calls: 3, source: 'cumulative' });
    const r = await collectAs(t.stewardUrl, { minMeanTimeMs: 0 }, first.snapshot, at(2 * HOUR));
    expect(r.source).toBe('interval');
    expect(r.since).toBe(t0.toISOString());
    expect(r.note).toContain('counters of the 120 min since the previous snapshot');
    expect(ofQ(r)).toMatchObject({ calls: 4, source: 'interval' });
    expect(ofQ(r).totalExecMs).toBeLessThan(ofQ(await collectAs(t.stewardUrl, { minMeanTimeMs: 0 })).totalExecMs);
  });

  it('falls back to cumulative counters, saying why, when the interval is too short or too quiet', async () => {
    const short = await collectAs(t.stewardUrl, { minMeanTimeMs: 0 }, first.snapshot, at(10 * 60_000));
    expect(short.source).toBe('cumulative');
    expect(short.note).toContain('only 10 min since the previous snapshot (less than 60 min)');
    expect(ofQ(short).calls).toBe(7);
    const quiet = await collectAs(t.stewardUrl, { minMeanTimeMs: 0, minIntervalCalls: 1e9 }, first.snapshot, at(2 * HOUR));
    expect(quiet.source).toBe('cumulative');
    expect(quiet.note).toMatch(/only \d+ calls since the previous snapshot \(fewer than 1000000000\)/);
  });

  it('treats a changed stats_reset as a reset: cumulative counters since then', async () => {
    const r = await collectAs(t.stewardUrl, { minMeanTimeMs: 0 }, { ...first.snapshot, statsReset: '2000-01-01T00:00:00.000Z' }, at(2 * HOUR));
    expect(r.source).toBe('cumulative');
    expect(r.note).toContain('statistics were reset since the previous snapshot');
    expect(ofQ(r).calls).toBe(7);
  });

  it('an entry whose counters went down was re-created since: all its counters belong to the interval', async () => {
    const key = Object.keys(first.snapshot.entries).find((k) => k.includes(`/${ofQ(first).queryid}/`))!;
    const prev: StatementsSnapshot = { ...first.snapshot, entries: { ...first.snapshot.entries, [key]: [1000, 1e6, 0, 0, 0] } };
    const r = await collectAs(t.stewardUrl, { minMeanTimeMs: 0 }, prev, at(2 * HOUR));
    expect(r.source).toBe('interval');
    expect(ofQ(r).calls).toBe(7);
  });

  it('an entry missing from a complete snapshot is new; from a cut one, its floor is subtracted', async () => {
    const key = Object.keys(first.snapshot.entries).find((k) => k.includes(`/${ofQ(first).queryid}/`))!;
    const entries = { ...first.snapshot.entries };
    delete entries[key];
    const complete = await collectAs(t.stewardUrl, { minMeanTimeMs: 0 }, { ...first.snapshot, entries, complete: true }, at(2 * HOUR));
    expect(ofQ(complete)).toMatchObject({ calls: 7, source: 'interval' });
    const cut = await collectAs(t.stewardUrl, { minMeanTimeMs: 0 }, { ...first.snapshot, entries, complete: false, floor: [5, 0, 0, 0, 0] }, at(2 * HOUR));
    expect(ofQ(cut)).toMatchObject({ calls: 2, source: 'interval' });
  });

  it('keeps the snapshot small (the 2×top heaviest), JSON-safe, and distrusts a malformed one', async () => {
    const r = await collectAs(t.stewardUrl, { minMeanTimeMs: 0, top: 1 }, first.snapshot, at(2 * HOUR));
    expect(Object.keys(r.snapshot.entries).length).toBeLessThanOrEqual(4);
    expect(r.snapshot).toMatchObject({ version: 1, complete: false, floor: expect.any(Array), takenAt: at(2 * HOUR).toISOString(), statsReset: expect.any(String), dealloc: expect.any(Number) });
    expect(readSnapshot(JSON.parse(JSON.stringify(r.snapshot)))).toEqual({ snapshot: r.snapshot });
    const bad = await collectAs(t.stewardUrl, { minMeanTimeMs: 0 }, { ...first.snapshot, entries: { x: [1, 2] } } as any, at(2 * HOUR));
    expect(bad.source).toBe('cumulative');
    expect(bad.note).toContain('previous snapshot ignored: snapshot is malformed at entries.x');
    expect(readSnapshot({ version: 7 })).toEqual({ discarded: 'snapshot version 7 is not 1' });
  });
});

describe('advisor collect: pure parts', () => {
  it('chooses the columns each version has', () => {
    const v13 = statementsSql(pgssFeatures(13), 'public');
    expect(v13).toContain('true as toplevel');
    expect(v13).toContain('s.total_exec_time');
    expect(v13).toContain('s.blk_read_time');
    expect(v13).toContain('null::timestamptz as stats_since');
    expect(pgssFeatures(13)).toMatchObject({ extVersion: '1.8', info: false });
    const v15 = statementsSql(pgssFeatures(15), 'public');
    expect(v15).toContain('s.toplevel,');
    expect(v15).toContain('s.blk_read_time');
    expect(pgssFeatures(15)).toMatchObject({ extVersion: '1.10', info: true, shared: false });
    const v17 = statementsSql(pgssFeatures(17), 'ext schema');
    expect(v17).toContain('s.shared_blk_read_time');
    expect(v17).toContain('s.stats_since');
    expect(v17).toContain('from "ext schema".pg_stat_statements s');
    // The view follows the installed extension version, not the server: an un-updated 1.10 on PG 17.
    expect(statementsSql(pgssFeatures(17, '1.10'), 'public')).toContain('s.blk_read_time');
    expect(() => pgssFeatures(12)).toThrow(UnsupportedVersionError);
    expect(() => pgssFeatures(13, '1.7')).toThrow(/ALTER EXTENSION pg_stat_statements UPDATE/);
  });

  it('classifies texts without the parser', () => {
    const reason = (q: string | null) => classifyText(q)?.reason;
    expect(reason('select * from orders where id = $1')).toBeUndefined();
    expect(reason('/* app */ -- why\n(select 1 from orders) union select 2 from items')).toBeUndefined();
    expect(reason('with x as (select * from orders) update orders set n = $1 from x where orders.id = x.id')).toBeUndefined();
    expect(reason('select * from orders for update')).toBeUndefined();
    expect(reason('select * from generate_series($1, $2)')).toBeUndefined();
    expect(reason('select * from pg_class, orders')).toBeUndefined();
    expect(reason('EXPLAIN select 1')).toBe('utility');
    expect(reason('  /* pgsteward */ PREPARE p AS select 1 from orders')).toBe('pgsteward');
    expect(reason('/* a */ /* pgsteward */ EXPLAIN (FORMAT JSON) EXECUTE p(NULL)')).toBe('pgsteward');
    expect(reason('select c.relname from pg_catalog.pg_class c join pg_namespace n on n.oid = c.relnamespace')).toBe('catalog-only');
    expect(reason('select * from public.pg_stat_statements')).toBe('catalog-only');
    expect(reason("select * from orders where note = 'it''s")).toBe('truncated');
    expect(reason('select * from orders where id in ($1, $2')).toBe('truncated');
    expect(reason('select 1 /* not /* closed */')).toBe('truncated');
    expect(reason(null)).toBe('truncated');
  });

  it('rejects unknown or bad settings instead of using a default', () => {
    expect(() => collectSettings({ minCall: 3 } as any)).toThrow(ConfigError);
    expect(() => collectSettings({ top: 0 })).toThrow(/top: expected at least 1/);
    expect(collectSettings({ top: 5 })).toMatchObject({ top: 5, minCalls: 2, minMeanTimeMs: 1, minIntervalMs: HOUR });
  });

  it('merges top-level and nested entries of one statement and counts texts pg_stat_statements discarded', () => {
    const row = (over: Partial<StatementsRead['rows'][number]>): StatementsRead['rows'][number] => ({
      userid: 10, user: 'app', toplevel: true, queryid: '1', query: 'select * from orders where id = $1', calls: 3, totalExecMs: 30, rows: 3, sharedBlksHit: 9, sharedBlksRead: 1, readTimeMs: 0, statsSince: null, ...over,
    });
    const read: StatementsRead = {
      features: pgssFeatures(15), dbid: 1, role: 'pgsteward', canReadAllTexts: true, statsReset: null, dealloc: null,
      rows: [row({}), row({ toplevel: false, calls: 2, totalExecMs: 10 }), row({ queryid: '2', query: null })],
    };
    const r = judgeStatements(read, collectSettings(), undefined, new Date(0));
    expect(r.statements).toEqual([expect.objectContaining({ queryid: '1', calls: 5, totalExecMs: 40, meanExecMs: 8 })]);
    expect(r.skipped).toEqual([expect.objectContaining({ queryid: '2', reason: 'truncated', query: '(no text)' })]);
    expect(Object.keys(r.snapshot.entries).sort()).toEqual(['10/1/f', '10/1/t']);
  });
});

describe('advisor collect: extension missing (last: drops the extension in this database)', () => {
  it('names CREATE EXTENSION and shared_preload_libraries', async () => {
    await t.admin.query('drop extension pg_stat_statements');
    try {
      const err = await collectAs(t.stewardUrl).catch((e) => e);
      expect(err).toBeInstanceOf(ExtensionMissingError);
      expect(err.message).toContain('CREATE EXTENSION pg_stat_statements;');
      expect(err.message).toContain('shared_preload_libraries');
    } finally {
      await t.admin.query('create extension pg_stat_statements');
    }
  });
});
