/**
 * Least privilege, checked for real: each advisor run (through connectTarget, over TCP with a
 * password) as a role lacking one privilege of sql/roles.sql says which GRANT is missing, and
 * after that GRANT the complaint is gone. The role the script makes needs nothing more for
 * health and advise. (Partitions: test/integration/partitions-role.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { resolveAlerts, resolveTarget } from '../../lib/config/resolve';
import { silentLogger } from '../../lib/log';
import { runAdvise } from '../../lib/runner/advise';
import { runHealth } from '../../lib/runner/health';
import { useTestDatabase } from '../support/db';

const t = useTestDatabase();
const tag = randomBytes(3).toString('hex');
const BARE = `bare_${tag}`;
const STATS = `stats_${tag}`;
const PASSWORD = `pw-${tag}`;

const urlOf = (role: string) => `postgres://${role}:${PASSWORD}@127.0.0.1:${t.cluster.port}/${t.name}`;
const opts = { alerts: resolveAlerts({}), logger: silentLogger };

function target(url: string) {
  return resolveTarget({}, {
    id: 'priv',
    connection: { url },
    advise: { minCalls: 1, minMeanTimeMs: 0 },
    // Replication slots are server-wide: ignore those other test files create.
    health: { ignore: { replication_slots: ['pgsteward_test_*'] } },
  });
}

const health = async (url: string) => (await runHealth(target(url), { ...opts, only: ['connection', 'permissions', 'sequences', 'long_queries'] })).report;
const advise = async (url: string) => (await runAdvise(target(url), opts)).report;
const permissionFixes = (r: Awaited<ReturnType<typeof health>>) =>
  r.findings.filter((f) => f.check === 'permissions' && f.severity !== 'ok').map((f) => f.message).join('\n');
const planFailures = (r: Awaited<ReturnType<typeof advise>>) => r.skipped.filter((s) => s.reason === 'plan-failed' && /priv_orders/.test(s.query));

beforeAll(async () => {
  for (const role of [BARE, STATS]) await t.admin.query(`create role ${role} login password '${PASSWORD}'`);
  await t.admin.query(`grant pg_read_all_stats to ${STATS}`);
  await t.admin.query('create table priv_orders (id bigserial primary key, customer_id int not null, note text)');
  await t.admin.query(`insert into priv_orders (customer_id, note) select g % 5000, 'n' || g from generate_series(1, 20000) g`);
  await t.admin.query('analyze priv_orders');
  // The application's workload, run by the superuser: another role's statements.
  const app = await t.session();
  for (const c of [1, 2, 3, 4, 5]) await app.query('select * from priv_orders where customer_id = $1', [c]);
});

afterAll(async () => {
  for (const role of [BARE, STATS]) {
    await t.admin.query(`drop owned by ${role}`).catch(() => undefined);
    await t.admin.query(`drop role if exists ${role}`).catch(() => undefined);
  }
});

describe('health', () => {
  it('without pg_monitor or SELECT on sequences, the report names both GRANTs; after them, the permissions check is ok', async () => {
    const before = await health(urlOf(BARE));
    expect(before.errors).toEqual([]);
    expect(permissionFixes(before)).toContain(`GRANT pg_monitor TO ${BARE};`);
    expect(permissionFixes(before)).toContain(`GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO ${BARE};`);

    await t.admin.query(`grant pg_monitor to ${BARE}`);
    await t.admin.query(`grant select on all sequences in schema public to ${BARE}`);
    const after = await health(urlOf(BARE));
    expect(after.findings.filter((f) => f.check === 'permissions')).toEqual([expect.objectContaining({ severity: 'ok' })]);
    await t.admin.query(`revoke pg_monitor from ${BARE}`);
  });
});

describe('advise', () => {
  it('without pg_read_all_stats, other roles\' statements are hidden and the run says which GRANT shows them', async () => {
    const r = await advise(urlOf(BARE));
    expect(r.errors.map((e) => e.message).join('\n')).toContain(`GRANT pg_read_all_stats TO ${BARE};`);
  });

  it('without SELECT on a table, its statements cannot be planned and the report names the schema GRANT; after it, they are planned', async () => {
    const before = await advise(urlOf(STATS));
    const failed = planFailures(before);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].detail).toMatch(/permission denied for table priv_orders/);
    expect(failed[0].detail).toContain(`Fix: GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${STATS};`);

    await t.admin.query(`grant select on all tables in schema public to ${STATS}`);
    const after = await advise(urlOf(STATS));
    expect(planFailures(after)).toEqual([]);
    expect(after.errors.filter((e) => e.stage === 'connect')).toEqual([]);
  });
});

describe('the role of sql/roles.sql', () => {
  it('needs nothing more for health and advise', async () => {
    t.applyRoleScript();
    const h = await health(t.stewardUrl);
    expect(h.findings.filter((f) => f.check === 'permissions')).toEqual([expect.objectContaining({ severity: 'ok' })]);
    const a = await advise(t.stewardUrl);
    expect(a.errors.filter((e) => e.stage === 'connect')).toEqual([]);
    expect(planFailures(a)).toEqual([]);
    expect(a.skipped.filter((s) => /insufficient privilege|permission denied/.test(`${s.query} ${s.detail ?? ''}`))).toEqual([]);
  });
});

describe('sql/rds-iam.sql', () => {
  const runScript = () => spawnSync(join(t.cluster.binDir, 'psql'), ['-X', '-q', '-f', join(__dirname, '../../sql/rds-iam.sql'), t.url], { encoding: 'utf8' });

  it('fails loudly on plain PostgreSQL, which has no rds_iam role, and grants it where the role exists (RDS, Aurora)', async () => {
    const plain = runScript();
    expect(plain.status).not.toBe(0);
    expect(plain.stderr).toContain('role "rds_iam" does not exist');

    // A stand-in for the role RDS creates; roles are cluster-wide, so it is dropped at once.
    await t.admin.query('create role rds_iam');
    try {
      expect(runScript().status).toBe(0);
      const { rows } = await t.admin.query(`select pg_has_role('pgsteward', 'rds_iam', 'member') as member`);
      expect(rows[0].member).toBe(true);
    } finally {
      await t.admin.query('drop role rds_iam');
    }
  });
});
