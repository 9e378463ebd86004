/** Replication checks against a real streaming standby (pg_basebackup) and real slots. */
import { Client } from 'pg';
import { ClusterInfo, startStandby, stewardUrl, stopCluster } from '../support/cluster';
import { useTestDatabase } from '../support/db';
import { findingsOf, notOk, runHealth, waitFor } from '../support/health';

describe('health: replication', () => {
  const t = useTestDatabase();
  let standby: ClusterInfo | undefined;

  afterAll(() => {
    if (standby) stopCluster(standby);
  });

  it('reports an inactive slot as a warning and the WAL it retains against the byte thresholds', async () => {
    await t.admin.query(`select pg_create_physical_replication_slot('pgsteward_test_idle', true)`);
    await t.admin.query(`create table wal_maker as select g from generate_series(1, 20000) g`);
    const r = await runHealth(t.stewardUrl, {}, ['replication_slots']);
    expect(notOk(r, 'replication_slots').find((f) => f.object === 'pgsteward_test_idle')).toMatchObject({
      severity: 'warning',
      message: expect.stringContaining(`pg_drop_replication_slot('pgsteward_test_idle')`),
    });
    const bytes = await runHealth(t.stewardUrl, { thresholds: { replication_slots: { warning: 1, critical: '1kB' } } }, ['replication_slots']);
    const f = notOk(bytes, 'replication_slots').find((x) => x.object === 'pgsteward_test_idle')!;
    expect(f.severity).toBe('critical');
    expect(f.value).toBeGreaterThan(1024);
    expect(f.message).toContain('retains');
    await t.admin.query(`select pg_drop_replication_slot('pgsteward_test_idle')`);
    const after = await runHealth(t.stewardUrl, {}, ['replication_slots']);
    expect(notOk(after, 'replication_slots').find((x) => x.object === 'pgsteward_test_idle')).toBeUndefined();
  });

  it('sees a streaming standby from the primary, and judges lag from the standby itself', async () => {
    standby = await startStandby(t.cluster);
    await waitFor(async () => (await t.admin.query(`select 1 from pg_stat_replication where application_name = 'standby1' and state = 'streaming'`)).rowCount);
    const ok = await runHealth(t.stewardUrl, {}, ['replication_lag']);
    expect(findingsOf(ok, 'replication_lag')[0]).toMatchObject({ severity: 'ok', message: expect.stringMatching(/standby\(s\), replay lag at most/) });
    // A zero threshold makes any measured standby count: proves each standby is judged by name.
    const judged = await runHealth(t.stewardUrl, { thresholds: { replication_lag: { warning: 0, critical: 3600 } } }, ['replication_lag']);
    expect(notOk(judged, 'replication_lag')).toContainEqual(expect.objectContaining({ object: 'standby1', severity: 'warning' }));

    // A standby that has just started may still be replaying the WAL it received (with no
    // commit to date the gap by: that is `unknown`, by design); wait until it has caught up.
    await waitFor(async () => {
      const c = new Client({ connectionString: stewardUrl(standby!, t.name) });
      await c.connect();
      try {
        return (await c.query(`select pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() as caught_up`)).rows[0].caught_up;
      } finally {
        await c.end();
      }
    }, 30000);
    const onStandby = await runHealth(stewardUrl(standby, t.name), {}, ['replication_lag', 'replication_slots', 'connection']);
    expect(findingsOf(onStandby, 'connection')[0].message).toContain('standby');
    expect(findingsOf(onStandby, 'replication_lag')[0]).toMatchObject({ severity: 'ok', message: expect.stringContaining('This server is a standby') });
    expect(onStandby.findings.filter((f) => f.severity === 'unknown')).toEqual([]);

    // Stop replay on the standby, write on the primary: the standby falls behind for real.
    const s = new Client({ connectionString: stewardUrl(standby, t.name).replace('pgsteward:pgsteward-test-role', 'postgres:pgsteward-test-superuser') });
    await s.connect();
    try {
      // A transaction replayed before the pause dates the gap that follows.
      await t.admin.query(`create table replayed (id int)`);
      await waitFor(async () => (await s.query(`select 1 from pg_class where relname = 'replayed'`)).rowCount);
      await s.query('select pg_wal_replay_pause()');
      await t.admin.query(`create table lagging as select g from generate_series(1, 1000) g`);
      await new Promise((r) => setTimeout(r, 2200));
      const behind = await runHealth(stewardUrl(standby, t.name), { thresholds: { replication_lag: { warning: 1, critical: 3600 } } }, ['replication_lag']);
      const [lag] = notOk(behind, 'replication_lag');
      expect(lag).toMatchObject({ severity: 'warning', object: 'this standby', message: expect.stringContaining('pg_wal_replay_resume()') });
      expect(lag.value).toBeGreaterThanOrEqual(2);
      // Paused replay alone is worth a warning, whatever the thresholds.
      const paused = await runHealth(stewardUrl(standby, t.name), {}, ['replication_lag']);
      expect(notOk(paused, 'replication_lag')[0]).toMatchObject({ severity: 'warning' });
    } finally {
      await s.query('select pg_wal_replay_resume()').catch(() => undefined);
      await s.end();
    }
  });
});
