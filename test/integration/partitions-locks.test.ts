/**
 * THE lock test. The maintainer runs as the restricted role of sql/roles.sql, a member of the
 * tables' owner role (`GRANT <owner_role> TO pgsteward`, test/support/owner.ts); the readers,
 * the lock holders, the control's DDL and the pg_locks sampler are the application's sessions
 * (superuser, fixtures). While another session keeps a read transaction open on the parent,
 * maintenance still creates partitions: ATTACH takes SHARE UPDATE EXCLUSIVE on the parent, which
 * does not conflict with ACCESS SHARE (explicit-locking.html, table 13.2), whereas
 * CREATE TABLE … PARTITION OF would need ACCESS EXCLUSIVE and queue every later query behind it.
 * Meanwhile a third session's SELECTs on the parent never wait longer than lock_timeout, and
 * pg_locks sampled all along never shows ACCESS EXCLUSIVE on the parent. When a conflicting lock
 * IS held, the run fails fast (lock_timeout × attempts) and says so, leaving nothing behind.
 */
import { Client } from 'pg';
import { Db, fromUrl } from '../../lib/pg';
import { maintainTable, TableOutcome } from '../../lib/partitions/maintain';
import { parsePolicy } from '../../lib/partitions/policy';
import { useTestDatabase } from '../support/db';
import { expectRestricted, useOwnerRole } from '../support/owner';

const t = useTestDatabase();
const owner = useOwnerRole(t);
let db: Db;
const LOCK_TIMEOUT_MS = 500;

beforeAll(async () => {
  await t.admin.query(`
    create table busy (id bigint not null, at timestamptz not null, primary key (id, at)) partition by range (at);
    create table busy_old partition of busy for values from (now() - interval '30 days') to (now() - interval '10 days');
    insert into busy select g, now() - interval '20 days' from generate_series(1, 1000) g;
    create table held (at timestamptz not null) partition by range (at);`);
  await owner.adopt();
  db = await Db.connect(fromUrl(t.stewardUrl), { statementTimeoutMs: 30_000, lockTimeoutMs: 2_000, connectTimeoutMs: 5_000 });
  await expectRestricted(db);
});
afterAll(async () => {
  await db?.close();
});

/** While `work` runs: SELECTs on `table` from one session (timed) and pg_locks samples from another. */
async function watch(table: string, work: () => Promise<TableOutcome>) {
  const reader: Client = await t.session();
  const sampler: Client = await t.session();
  let done = false;
  const waits: number[] = [];
  const exclusive: string[] = [];
  const selects = (async () => {
    while (!done) {
      const t0 = Date.now();
      await reader.query(`select count(*) from ${table}`);
      waits.push(Date.now() - t0);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const samples = (async () => {
    while (!done) {
      const { rows } = await sampler.query(`select mode, granted from pg_locks where relation = $1::regclass and mode = 'AccessExclusiveLock'`, [table]);
      exclusive.push(...rows.map((r) => `${r.mode}${r.granted ? '' : ' (waiting)'}`));
    }
  })();
  const t0 = Date.now();
  const outcome = await work();
  const elapsed = Date.now() - t0;
  done = true;
  await Promise.all([selects, samples]);
  return { outcome, elapsed, waits, exclusive };
}

describe('partition maintenance and locks', () => {
  it('creates partitions while a long read transaction holds the parent, never blocking a concurrent SELECT', async () => {
    const longReader = await t.session();
    await longReader.query('begin');
    await longReader.query('select count(*) from busy');
    try {
      const policy = parsePolicy({ table: 'busy', column: 'at', interval: '1 day', premake: 5, lockTimeout: `${LOCK_TIMEOUT_MS}ms` });
      const { outcome, elapsed, waits, exclusive } = await watch('busy', () => maintainTable(db, policy));
      // Today + 5 ahead, plus the days between busy_old (ending 10 days ago) and today: gaps filled.
      const attached = outcome.actions.filter((a) => a.action === 'attach');
      expect(attached.length).toBeGreaterThanOrEqual(6);
      expect(outcome.table).toMatchObject({ status: 'ok', partitionsBefore: 1, partitionsAfter: 1 + attached.length });
      expect(attached.map((a) => a.status)).toEqual(Array(attached.length).fill('done'));
      expect(outcome.actions.every((a) => a.attempts === 1)).toBe(true);
      // By design too: no statement of the run can take ACCESS EXCLUSIVE on the parent.
      expect(outcome.actions.some((a) => /PARTITION OF/.test(a.sql))).toBe(false);
      expect(exclusive).toEqual([]);
      expect(waits.length).toBeGreaterThan(0);
      expect(Math.max(...waits)).toBeLessThan(LOCK_TIMEOUT_MS);
      // eslint-disable-next-line no-console
      console.log(`created 6 partitions in ${elapsed} ms under an open reader; ${waits.length} concurrent SELECTs, slowest ${Math.max(...waits)} ms; ${outcome.actions.map((a) => a.durationMs).join('/')} ms per step`);
    } finally {
      await longReader.query('rollback');
    }
  });

  it('control: CREATE TABLE … PARTITION OF would wait behind the same reader (ACCESS EXCLUSIVE)', async () => {
    const longReader = await t.session();
    await longReader.query('begin');
    await longReader.query('select count(*) from busy');
    try {
      const s = await t.session();
      await s.query(`set lock_timeout = '${LOCK_TIMEOUT_MS}ms'`);
      await expect(s.query(`create table busy_control partition of busy for values from ('2100-01-01') to ('2100-01-02')`)).rejects.toThrow(/lock timeout/);
    } finally {
      await longReader.query('rollback');
    }
  });

  it('fails fast within lock_timeout when a conflicting lock is held, reports it, and leaves nothing behind', async () => {
    const holder = await t.session();
    await holder.query('begin');
    // SHARE conflicts with ATTACH's SHARE UPDATE EXCLUSIVE but not with readers' ACCESS SHARE.
    await holder.query('lock table held in share mode');
    try {
      const policy = parsePolicy({ table: 'held', column: 'at', interval: '1 day', premake: 3, lockTimeout: `${LOCK_TIMEOUT_MS}ms` });
      const { outcome, elapsed, waits, exclusive } = await watch('held', () => maintainTable(db, policy, { attempts: 3, backoffMs: 100 }));
      expect(outcome.table.status).toBe('failed');
      expect(outcome.actions.slice(0, 2).map((a) => `${a.action}:${a.status}`)).toEqual(['create:done', 'attach:failed']);
      expect(outcome.actions[1]).toMatchObject({ attempts: 3, error: expect.stringMatching(/lock timeout/) });
      // The rest of the table is not attempted: one lock timeout says the table is busy now.
      expect(outcome.actions.slice(2).every((a) => a.status === 'skipped')).toBe(true);
      expect(outcome.findings.map((f) => f.check)).toEqual(expect.arrayContaining(['lock_timeout', 'missing_future_partitions']));
      expect(outcome.findings.find((f) => f.check === 'missing_future_partitions')?.severity).toBe('critical');
      // 3 attempts × 500 ms + backoff 100 + 200 ms, plus some slack.
      expect(elapsed).toBeLessThan(3 * LOCK_TIMEOUT_MS + 300 + 1_000);
      expect(Math.max(...waits)).toBeLessThan(LOCK_TIMEOUT_MS);
      expect(exclusive).toEqual([]);
      const { rows } = await t.admin.query(`select count(*)::int as n from pg_class where relname ~ '^held_p[0-9]'`);
      expect(rows[0].n).toBe(0);
      // eslint-disable-next-line no-console
      console.log(`gave up after ${elapsed} ms (3 attempts of ${LOCK_TIMEOUT_MS} ms); ${waits.length} concurrent SELECTs, slowest ${Math.max(...waits)} ms`);
    } finally {
      await holder.query('rollback');
    }
    // Once the lock is gone, the next run catches up.
    const again = await maintainTable(db, parsePolicy({ table: 'held', column: 'at', interval: '1 day', premake: 3, lockTimeout: `${LOCK_TIMEOUT_MS}ms` }));
    expect(again.table).toMatchObject({ status: 'ok', partitionsAfter: 4 });
  });

  it('skips a table another run is maintaining (advisory lock held)', async () => {
    const other = await t.session();
    await other.query(`select pg_advisory_lock(hashtext('pgsteward.partitions'), 'busy'::regclass::oid::int)`);
    try {
      const out = await maintainTable(db, parsePolicy({ table: 'busy', column: 'at', interval: '1 day', premake: 8 }));
      expect(out.table.status).toBe('skipped');
      expect(out.actions).toEqual([]);
      expect(out.findings.map((f) => f.check)).toEqual(['concurrent_run']);
    } finally {
      await other.query(`select pg_advisory_unlock_all()`);
    }
  });
});
