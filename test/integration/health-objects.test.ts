/** Checks on database objects, each problem made for real: sequences, invalid indexes, wraparound, vacuum, prepared transactions, cache. */
import { useTestDatabase } from '../support/db';
import { findingsOf, notOk, runHealth } from '../support/health';

describe('health: objects', () => {
  const t = useTestDatabase();

  it('judges an int4 column fed by a bigint sequence against 2^31-1, not the sequence maximum', async () => {
    await t.admin.query(`create sequence orders_id_seq as bigint`);
    await t.admin.query(`create table orders (id int not null default nextval('orders_id_seq') primary key, note text)`);
    await t.admin.query(`alter sequence orders_id_seq owned by orders.id`);
    await t.admin.query(`select setval('orders_id_seq', 2100000000)`);
    await t.admin.query(`create table small (id serial primary key)`);
    await t.admin.query(`select setval('small_id_seq', 1800000000)`);
    await t.admin.query(`create table big (id bigserial primary key)`);
    await t.admin.query(`select setval('big_id_seq', 2100000000)`);
    t.applyRoleScript();
    const r = await runHealth(t.stewardUrl, {}, ['sequences']);
    const bad = notOk(r, 'sequences');
    const orders = bad.find((f) => f.object === 'public.orders_id_seq')!;
    expect(orders.severity).toBe('critical');
    expect(orders.value).toBeCloseTo(97.79, 1);
    expect(orders.detail).toMatchObject({ limitedBy: 'column', columnType: 'integer' });
    expect(orders.message).toContain('ALTER TABLE public.orders ALTER COLUMN id TYPE bigint');
    // A serial on int4: the column is the limit, so the advice is to widen the column.
    expect(bad.find((f) => f.object === 'public.small_id_seq')).toMatchObject({ severity: 'warning', detail: expect.objectContaining({ limitedBy: 'column' }) });
    expect(bad.find((f) => f.object === 'public.big_id_seq')).toBeUndefined();
  });

  it('names the GRANT when a sequence cannot be read, instead of guessing', async () => {
    await t.admin.query(`create schema hidden`);
    await t.admin.query(`create sequence hidden.secret_seq`);
    const r = await runHealth(t.stewardUrl, {}, ['sequences', 'permissions']);
    const [p] = notOk(r, 'permissions');
    expect(p.object).toBe('sequences');
    expect(p.message).toContain('GRANT SELECT ON ALL SEQUENCES IN SCHEMA hidden TO pgsteward');
  });

  it('a role without pg_monitor gets a permissions finding naming the GRANT, not a stack trace', async () => {
    await t.admin.query(`create role plain_login login password 'plain-pw'`);
    const url = t.stewardUrl.replace('pgsteward:pgsteward-test-role', 'plain_login:plain-pw');
    const r = await runHealth(url, {});
    expect(notOk(r, 'permissions')).toContainEqual(expect.objectContaining({ object: 'pg_monitor', message: expect.stringContaining('GRANT pg_monitor TO plain_login;') }));
    expect(r.findings.find((f) => f.check === 'connection')?.severity).toBe('ok');
    await t.admin.query(`drop role plain_login`).catch(() => undefined);
  });

  it('reports an invalid index left by a failed CREATE INDEX CONCURRENTLY', async () => {
    await t.admin.query(`create table dupes (v int)`);
    await t.admin.query(`insert into dupes values (1), (1)`);
    await expect(t.admin.query(`create unique index concurrently dupes_v_key on dupes (v)`)).rejects.toThrow(/could not create unique index/);
    const r = await runHealth(t.stewardUrl, {}, ['invalid_indexes']);
    expect(notOk(r, 'invalid_indexes')).toEqual([
      expect.objectContaining({ severity: 'warning', object: 'public.dupes_v_key', message: expect.stringContaining('DROP INDEX CONCURRENTLY public.dupes_v_key') }),
    ]);
    const ignored = await runHealth(t.stewardUrl, { ignore: { invalid_indexes: ['public.dupes_*'] } }, ['invalid_indexes']);
    expect(notOk(ignored, 'invalid_indexes')).toEqual([]);
    const crit = await runHealth(t.stewardUrl, { thresholds: { invalid_indexes: { severity: 'critical' } } }, ['invalid_indexes']);
    expect(notOk(crit, 'invalid_indexes')[0].severity).toBe('critical');
    await t.admin.query(`drop index dupes_v_key`);
    expect(notOk(await runHealth(t.stewardUrl, {}, ['invalid_indexes']), 'invalid_indexes')).toEqual([]);
  });

  it('judges transaction ID age per database and for the oldest table (thresholds lowered: real ages cannot reach 1e9 in test time)', async () => {
    await t.admin.query(`create table churn (v int)`);
    for (let i = 0; i < 20; i++) await t.admin.query(`insert into churn values ($1)`, [i]);
    const r = await runHealth(t.stewardUrl, { thresholds: { xid_wraparound: { warning: 5, critical: 1e12 } } }, ['xid_wraparound']);
    const bad = notOk(r, 'xid_wraparound');
    expect(bad.find((f) => f.object === `database ${t.name}`)).toMatchObject({ severity: 'warning' });
    expect(bad.some((f) => f.object?.startsWith('table '))).toBe(true);
    const ok = await runHealth(t.stewardUrl, {}, ['xid_wraparound']);
    expect(findingsOf(ok, 'xid_wraparound')).toEqual([expect.objectContaining({ severity: 'ok', message: expect.stringContaining('% of the wraparound limit') })]);
  });

  it('reports a table with many dead tuples that vacuum has not cleaned', async () => {
    await t.admin.query(`create table bloated (id int, pad text) with (autovacuum_enabled = false)`);
    await t.admin.query(`insert into bloated select g, repeat('x', 20) from generate_series(1, 20000) g`);
    await t.admin.query(`delete from bloated where id <= 15000`);
    // Statistics reach the shared stats system at transaction end or within a second.
    await t.admin.query(`select pg_stat_force_next_flush()`).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1200));
    const r = await runHealth(t.stewardUrl, {}, ['vacuum']);
    const f = notOk(r, 'vacuum').find((x) => x.object === 'bloated');
    expect(f).toMatchObject({ severity: 'warning' });
    expect(f!.value).toBeGreaterThanOrEqual(70);
    expect(f!.message).toContain('autovacuum_enabled=false');
    await t.admin.query(`vacuum bloated`);
    await new Promise((r) => setTimeout(r, 1200));
    expect(notOk(await runHealth(t.stewardUrl, {}, ['vacuum']), 'vacuum').find((x) => x.object === 'bloated')).toBeUndefined();
  });

  it('reports an old prepared transaction with the statements that finish it', async () => {
    const s = await t.session();
    await s.query(`begin`);
    await s.query(`create table in_limbo (id int)`);
    await s.query(`prepare transaction 'pgsteward-test-limbo'`);
    try {
      await new Promise((r) => setTimeout(r, 1100));
      const r = await runHealth(t.stewardUrl, { thresholds: { prepared_transactions: { warning: 1, critical: 3600 } } }, ['prepared_transactions']);
      expect(notOk(r, 'prepared_transactions')).toEqual([
        expect.objectContaining({ severity: 'warning', object: 'pgsteward-test-limbo', message: expect.stringContaining(`ROLLBACK PREPARED 'pgsteward-test-limbo'`) }),
      ]);
    } finally {
      await t.admin.query(`rollback prepared 'pgsteward-test-limbo'`);
    }
  });

  it('measures the cache hit ratio between two runs, not since the stats reset', async () => {
    const first = await runHealth(t.stewardUrl, {}, ['cache_hit_ratio']);
    expect(findingsOf(first, 'cache_hit_ratio')[0]).toMatchObject({ severity: 'ok', message: expect.stringContaining('First run') });
    await t.admin.query(`create table cached as select g as id from generate_series(1, 50000) g`);
    for (let i = 0; i < 5; i++) await t.admin.query(`select count(*) from cached`);
    await t.admin.query(`select pg_stat_force_next_flush()`).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1200));
    // A ratio above 100% cannot be met, so any measured interval is "critical": proves it judged.
    const second = await runHealth(t.stewardUrl, { thresholds: { cache_hit_ratio: { warning: 101, critical: 100.5, minBlocks: 10 } } }, ['cache_hit_ratio'], first.memory);
    const [f] = findingsOf(second, 'cache_hit_ratio');
    expect(f.severity).toBe('critical');
    expect(f.detail).toMatchObject({ hits: expect.any(Number) });
    const quiet = await runHealth(t.stewardUrl, { thresholds: { cache_hit_ratio: { minBlocks: 1e12 } } }, ['cache_hit_ratio'], second.memory);
    expect(findingsOf(quiet, 'cache_hit_ratio')[0]).toMatchObject({ severity: 'ok', message: expect.stringContaining('blocks requested') });
  });
});
