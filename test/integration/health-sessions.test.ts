/** Session checks, each problem made for real: long queries, idle transactions, blocked queries, connections. */
import { useTestDatabase } from '../support/db';
import { notOk, runHealth, sleep, waitFor } from '../support/health';

describe('health: sessions', () => {
  const t = useTestDatabase();

  beforeAll(async () => {
    await t.admin.query(`create table accounts (id int primary key, owner text, balance numeric)`);
    await t.admin.query(`insert into accounts select g, 'owner ' || g, 100 from generate_series(1, 100) g`);
  });

  it('reports a statement running past the threshold, with its pid and redacted text', async () => {
    const s = await t.session();
    const running = s.query(`select pg_sleep(4), 'secret-literal-42' as tag`).catch(() => undefined);
    await sleep(1200);
    const r = await runHealth(t.stewardUrl, { thresholds: { long_running_queries: { warning: 1, critical: 600 } } }, ['long_running_queries']);
    const [f] = notOk(r, 'long_running_queries');
    expect(f).toMatchObject({ severity: 'warning', object: `pid ${(s as any).processID}`, threshold: 1 });
    expect(f.message).toContain('pg_sleep(?)');
    expect(f.message).not.toContain('secret-literal-42');
    expect((f.detail as any).session).toMatchObject({ user: 'postgres', state: 'active' });
    await running;
  });

  it('keeps literals when redactLiterals is false', async () => {
    const s = await t.session();
    const running = s.query(`select pg_sleep(3), 'visible-literal' as tag`).catch(() => undefined);
    await sleep(1200);
    const r = await runHealth(t.stewardUrl, { redactLiterals: false, thresholds: { long_running_queries: { warning: 1 } } }, ['long_running_queries']);
    expect(notOk(r, 'long_running_queries')[0].message).toContain('visible-literal');
    await running;
  });

  it('reports a session idle in a transaction, and is critical past the critical threshold', async () => {
    const s = await t.session();
    await s.query('begin');
    await s.query('select * from accounts where id = 1');
    await sleep(2100);
    const warn = await runHealth(t.stewardUrl, { thresholds: { idle_in_transaction: { warning: 1, critical: 60 } } }, ['idle_in_transaction']);
    expect(notOk(warn, 'idle_in_transaction')).toEqual([expect.objectContaining({ severity: 'warning', object: `pid ${(s as any).processID}` })]);
    const crit = await runHealth(t.stewardUrl, { thresholds: { idle_in_transaction: { warning: 1, critical: 2 } } }, ['idle_in_transaction']);
    expect(notOk(crit, 'idle_in_transaction')[0].severity).toBe('critical');
    await s.query('rollback');
    const after = await runHealth(t.stewardUrl, { thresholds: { idle_in_transaction: { warning: 1, critical: 2 } } }, ['idle_in_transaction']);
    expect(notOk(after, 'idle_in_transaction')).toEqual([]);
  });

  it('names the blocking session, its state and its query for a query waiting on a lock', async () => {
    const blocker = await t.session();
    const waiter = await t.session();
    await blocker.query('begin');
    await blocker.query(`update accounts set balance = balance + 1 where id = 7`);
    const waiting = waiter.query(`update accounts set balance = balance - 1 where id = 7`);
    await waitFor(async () => {
      const r = await t.admin.query(`select 1 from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'`, [(waiter as any).processID]);
      return r.rowCount! > 0;
    });
    await sleep(1100);
    const r = await runHealth(t.stewardUrl, { thresholds: { blocked_queries: { warning: 1, critical: 600 }, long_running_queries: { warning: 1 } } }, ['blocked_queries', 'long_running_queries']);
    // Reported once, as blocked (with its blocker), not again as a long-running query.
    expect(notOk(r, 'long_running_queries').map((x) => x.object)).not.toContain(`pid ${(waiter as any).processID}`);
    const [f] = notOk(r, 'blocked_queries');
    expect(f.object).toBe(`pid ${(waiter as any).processID}`);
    expect(f.message).toContain(`blocked by pid ${(blocker as any).processID}`);
    expect(f.message).toContain('idle in transaction');
    expect(f.message).toContain('update accounts set balance = balance + ? where id = ?');
    expect((f.detail as any).blocker).toMatchObject({ pid: (blocker as any).processID, state: 'idle in transaction' });
    await blocker.query('rollback');
    await waiting;
  });

  it('judges connections in use against max_connections minus the reserved slots', async () => {
    const r = await runHealth(t.stewardUrl, { thresholds: { connections: { warning: 0.1, critical: 99 } } }, ['connections']);
    const [f] = notOk(r, 'connections');
    expect(f.severity).toBe('warning');
    expect(f.detail).toMatchObject({ maxConnections: 200, usable: 197 });
    const ok = await runHealth(t.stewardUrl, {}, ['connections']);
    expect(notOk(ok, 'connections')).toEqual([]);
  });

  it('does not stall when the application holds an ACCESS EXCLUSIVE lock on a table', async () => {
    const holder = await t.session();
    await holder.query('begin');
    await holder.query('lock table accounts in access exclusive mode');
    await t.admin.query(`create sequence if not exists locked_seq`);
    const started = Date.now();
    const r = await runHealth(t.stewardUrl, {});
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.findings.filter((f) => f.severity === 'unknown')).toEqual([]);
    await holder.query('rollback');
  });
});
