/**
 * The three advisors pointed at a real hot standby (pg_basebackup -R, streaming): health works,
 * advise reads the standby's own statistics and says so (HypoPG works in recovery; the trial
 * engine cannot, so it falls back), and partitions refuse before any DDL.
 */
import { Client } from 'pg';
import { parseConfig } from '../../lib/config/load';
import { resolveAlerts, selectTargets } from '../../lib/config/resolve';
import { silentLogger } from '../../lib/log';
import { runAdvise } from '../../lib/runner/advise';
import { runHealth } from '../../lib/runner/health';
import { runPartitions } from '../../lib/runner/partitions';
import { renderMarkdown } from '../../lib/report/markdown';
import { ClusterInfo, startStandby, stewardUrl, stopCluster, superuserUrl } from '../support/cluster';
import { useTestDatabase } from '../support/db';
import { waitFor } from '../support/health';

describe('advisors on a hot standby', () => {
  const t = useTestDatabase();
  let standby: ClusterInfo;
  let onStandby: Client;

  const target = (extra: object = {}) => {
    const config = parseConfig({ targets: [{ id: 'replica', connection: { url: stewardUrl(standby, t.name) }, advise: { minCalls: 1, minMeanTimeMs: 0, storageBudget: '100MB' }, ...extra }] });
    return { target: selectTargets(config)[0], alerts: resolveAlerts(config) };
  };

  beforeAll(async () => {
    await t.admin.query(`create table orders (id bigserial primary key, customer_id int not null, total numeric not null, created_at timestamptz not null)`);
    await t.admin.query(`insert into orders (customer_id, total, created_at) select g % 5000, g % 300, now() - (g || ' minutes')::interval from generate_series(1, 100000) g`);
    await t.admin.query(`create table events (id bigint not null, at timestamptz not null) partition by range (at)`);
    await t.admin.query(`vacuum analyze orders`);
    t.applyRoleScript();
    standby = await startStandby(t.cluster);
    onStandby = new Client({ connectionString: superuserUrl(standby, t.name) });
    onStandby.on('error', () => undefined); // the primary drops the database at the end: replayed here too
    await onStandby.connect();
    await waitFor(async () => (await onStandby.query(`select pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() as ok`)).rows[0].ok, 30000);
    // The workload runs on the standby only: the primary's pg_stat_statements never sees it.
    for (let i = 0; i < 5; i++) await onStandby.query(`select * from orders where customer_id = $1 order by created_at desc limit 10`, [100 + i]);
  }, 120000);

  afterAll(async () => {
    await onStandby?.end().catch(() => undefined);
    if (standby) stopCluster(standby);
  });

  it('health runs and says it is a standby', async () => {
    const { target: tgt, alerts } = target();
    const { report } = await runHealth(tgt, { alerts, logger: silentLogger, only: ['connection', 'replication_lag', 'sequences'] });
    expect(report.server?.inRecovery).toBe(true);
    expect(report.findings.find((f) => f.check === 'connection')?.message).toContain('standby');
    expect(report.errors).toEqual([]);
  });

  it('advise plans the standby\'s own workload with HypoPG and says its statistics are the standby\'s', async () => {
    const { target: tgt, alerts } = target();
    const { report, failed } = await runAdvise(tgt, { alerts, logger: silentLogger });
    expect(failed).toBe(false);
    expect(report.summary.whatIf).toBe('hypopg');
    expect(report.standby).toMatch(/hot standby.*only the queries run on this standby/);
    expect(report.recommendations.map((r) => `${r.table}(${r.columns.join(',')})`)).toContainEqual(expect.stringMatching(/^public\.orders\(customer_id/));
    expect(renderMarkdown(report)).toContain('> **Standby.** This server is a hot standby');
    // Nothing hypothetical is left behind, and nothing real was built on the read-only server.
    expect((await onStandby.query(`select count(*)::int as n from pg_indexes where tablename = 'orders'`)).rows[0].n).toBe(1);
  });

  it('advise asked for the trial engine uses HypoPG on a standby, and says why', async () => {
    const { target: tgt, alerts } = target({ advise: { minCalls: 1, minMeanTimeMs: 0, storageBudget: '100MB', whatIf: 'trial' } });
    const { report, failed } = await runAdvise(tgt, { alerts, logger: silentLogger });
    expect(failed).toBe(false);
    expect(report.summary.whatIf).toBe('hypopg');
    expect(report.standby).toContain('whatIf "trial" builds real indexes');
  });

  it('partitions refuse on a standby before any DDL, naming the primary as the target to use', async () => {
    const { target: tgt, alerts } = target({ partitions: [{ table: 'public.events', column: 'at', interval: '1 day' }] });
    const before = (await t.admin.query(`select count(*)::int as n from pg_inherits where inhparent = 'public.events'::regclass`)).rows[0].n;
    const { report, failed } = await runPartitions(tgt, { alerts, logger: silentLogger });
    expect(failed).toBe(true);
    expect(report.actions).toEqual([]);
    expect(report.tables).toEqual([expect.objectContaining({ table: 'public.events', status: 'failed' })]);
    expect(report.findings).toEqual([expect.objectContaining({ check: 'maintenance_failed', message: expect.stringMatching(/hot standby.*primary.*No DDL was attempted/) })]);
    expect(report.notifications).toContainEqual(expect.objectContaining({ check: 'maintenance_failed', object: 'public.events', state: 'firing' }));
    expect(report.statements).toBeLessThan(3);
    expect((await t.admin.query(`select count(*)::int as n from pg_inherits where inhparent = 'public.events'::regclass`)).rows[0].n).toBe(before);
  });
});
