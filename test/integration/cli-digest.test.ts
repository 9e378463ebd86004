/**
 * `pgsteward advise --digest`: the nightly email's text on stdout, from the CLI, compared with the
 * previous report under --out. Two runs on the real cluster, as the restricted role: between them
 * the first run's recommendation is created, so the second digest reports it applied, with the
 * mean time of its statement before and after.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import type { AdviseReport } from '../../lib/report/types';
import { cli } from '../support/cli';
import { useTestDatabase } from '../support/db';

const QUERY = 'select * from cd_orders where customer_id = $1';

describe('pgsteward advise --digest', () => {
  const t = useTestDatabase();
  let dir: string;
  let app: Client;
  let configFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pgsteward-cli-digest-'));
    await t.admin.query('create table cd_orders (id bigserial primary key, customer_id int not null, total numeric not null)');
    await t.admin.query('insert into cd_orders (customer_id, total) select g % 30000, g % 300 from generate_series(1, 300000) g');
    await t.admin.query('vacuum analyze cd_orders');
    t.applyRoleScript();
    await t.admin.query('select pg_stat_force_next_flush()');
    await t.admin.query('select pg_stat_reset()');
    app = await t.session();
    configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({
      defaults: { advise: { minMeanTimeMs: 0, minInterval: '0s', storageBudget: '80MB' } },
      targets: [{ id: 'shop', connection: { url: t.stewardUrl } }],
    }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const workload = async () => {
    for (let i = 0; i < 6; i++) await app.query(QUERY, [100 + i]);
  };
  const advise = (...extra: string[]) => cli('advise', '--config', configFile, '--state', join(dir, 'state'), '--out', join(dir, 'reports'), '--quiet', ...extra);

  it('prints the digest on stdout: what to do first with its SQL, then, a night later, the recommendation applied and its effect', async () => {
    await workload();
    const night1 = await advise('--digest');
    expect(night1.code).toBe(0);
    expect(night1.stdout).toMatch(/^pgsteward digest for shop: /);
    expect(night1.stdout).toContain('DO FIRST');
    expect(night1.stdout).toMatch(/CREATE INDEX CONCURRENTLY IF NOT EXISTS "cd_orders_customer_id_idx"/);
    // Nothing to compare with on the first night: the section is left out, not shown empty.
    expect(night1.stdout).not.toContain('SINCE THE PREVIOUS RUN');
    expect(night1.stdout).toContain('Full report: ');

    // The day: the recommendation is created as written, and the workload runs on it.
    const report1: AdviseReport = (await advise('--json')).json();
    const rec = report1.recommendations.find((r) => r.table === 'public.cd_orders')!;
    for (const stmt of rec.statement.split(/;\n?/).filter(Boolean)) await t.admin.query(stmt);
    await workload();

    const night2 = await advise('--digest');
    expect(night2.stdout).toContain('SINCE THE PREVIOUS RUN');
    expect(night2.stdout).toMatch(/Applied: \S*cd_orders_customer_id_idx on public\.cd_orders \(customer_id\)/);
    expect(night2.stdout).toMatch(/mean .* -> /);
  }, 120_000);

  it('--digest and --json together are a usage error (one document on stdout)', async () => {
    const r = await advise('--digest', '--json');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--digest');
  });
});
