/**
 * Three targets, three databases, one PostgreSQL server: instance-level checks run and alert
 * once per server (keyed `127.0.0.1:<port>`), in one process over all targets (the CLI) and in
 * separate concurrent per-target runs sharing a state directory (the fan-out deployment),
 * including targets whose host only their Secrets Manager secret tells.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { LocalStateStore } from '../../lib/alert/state-store-local';
import { parseConfig } from '../../lib/config/load';
import { resolveAlerts, selectTargets } from '../../lib/config/resolve';
import { ServerClaims } from '../../lib/health/servers';
import { silentLogger } from '../../lib/log';
import { runHealth } from '../../lib/runner/health';
import type { HealthReport, Notification } from '../../lib/report/types';
import { STEWARD_PASSWORD } from '../support/cluster';
import { createTestDatabase, TestDatabase } from '../support/db';
import { cli } from '../support/cli';

type Db = TestDatabase & { drop(): Promise<void> };

// Every percentage of connections in use is at least 0: the connections check fires on any server.
const HEALTH = { thresholds: { connections: { warning: 0, critical: 100 }, xid_wraparound: { warning: 5, critical: 1e12 } } };
const CHECKS = ['connections', 'xid_wraparound'];

describe('health: targets on one server share the instance-level checks', () => {
  const dbs: Db[] = [];
  const dirs: string[] = [];
  let server: string;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) dbs.push(await createTestDatabase());
    server = `127.0.0.1:${dbs[0].cluster.port}`;
  });
  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.drop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'pgsteward-shared-'));
    dirs.push(d);
    return d;
  };
  const urlConfig = () => ({ defaults: { health: HEALTH }, targets: dbs.map((d, i) => ({ id: `db${i}`, connection: { url: d.stewardUrl } })) });
  const all = (reports: HealthReport[]) => reports.flatMap((r) => r.notifications);
  const keyed = (ns: Notification[], key: string) => ns.filter((n) => n.key === key);

  it('one process over all targets: one connections alert keyed by host:port, the owner report covers the server', async () => {
    const dir = tempDir();
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(urlConfig()));
    const state = join(dir, 'state');

    const r = await cli('health', '--config', configFile, '--json', '--quiet', '--state', state, '--checks', CHECKS.join(','));
    const reports: HealthReport[] = r.json().reports;
    expect(reports.map((x) => x.target)).toEqual(['db0', 'db1', 'db2']);
    const ns = all(reports);
    expect(keyed(ns, `${server}|connections|`)).toEqual([expect.objectContaining({ target: server, state: 'firing', reason: 'new', severity: 'warning' })]);
    expect(ns.filter((n) => n.check === 'connections')).toHaveLength(1);
    // pg_database is cluster-wide: each database's XID age is alerted once, under the server.
    for (const d of dbs) expect(keyed(ns, `${server}|xid_wraparound|database ${d.name}`)).toHaveLength(1);
    // The oldest table belongs to each database: alerted per target.
    for (const id of ['db0', 'db1', 'db2']) expect(ns.filter((n) => n.target === id && n.check === 'xid_wraparound' && n.object?.startsWith('table '))).toHaveLength(1);

    expect(reports[0].instanceChecks).toMatchObject({ server, coveredBy: 'db0', targets: ['db0', 'db1', 'db2'] });
    expect(reports[0].findings).toContainEqual(expect.objectContaining({ check: 'connections', scope: 'server' }));
    for (const other of reports.slice(1)) {
      expect(other.instanceChecks).toMatchObject({ server, coveredBy: 'db0' });
      expect(other.findings.filter((f) => f.check === 'connections' || f.scope === 'server')).toEqual([]);
    }

    // The next run claims nothing new: the server's alert state remembers it was notified.
    const again = await cli('health', '--config', configFile, '--json', '--quiet', '--state', state, '--checks', CHECKS.join(','));
    // (Only this file's databases: other test files create and drop databases on the same server.)
    const ours = (n: Notification) => n.check === 'connections' || dbs.some((d) => n.object === `database ${d.name}`);
    expect(all(again.json().reports).filter((n) => n.target === server && ours(n))).toEqual([]);

    // Without a state directory, the process itself still alerts once per server.
    const stateless = await cli('health', '--config', configFile, '--json', '--quiet', '--checks', 'connections');
    expect(all(stateless.json().reports).filter((n) => n.check === 'connections').map((n) => n.key)).toEqual([`${server}|connections|`]);
  });

  it('one concurrent run per target (fan-out): the owner from the config alone covers the server', async () => {
    const config = parseConfig(urlConfig());
    const store = new LocalStateStore(tempDir());
    const reports = await Promise.all(['db0', 'db1', 'db2'].map(async (id) => {
      // A separate invocation: its own view of the servers, built from the whole config.
      const [target] = selectTargets(config, [id]);
      const out = await runHealth(target, { alerts: resolveAlerts(config), state: store, logger: silentLogger, only: CHECKS, servers: new ServerClaims(config.targets ?? []) });
      return out.report;
    }));
    expect(keyed(all(reports), `${server}|connections|`)).toHaveLength(1);
    expect(reports.map((r) => r.instanceChecks?.coveredBy)).toEqual(['db0', 'db0', 'db0']);
    expect(reports[1].findings.some((f) => f.check === 'connections')).toBe(false);
  });

  describe('host known only at run time (secret without a host override)', () => {
    const sm = mockClient(SecretsManagerClient);
    afterAll(() => sm.restore());
    const arn = (i: number) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:pgsteward/shared-${i}-AbCdEf`;

    beforeAll(() => {
      dbs.forEach((d, i) => sm.on(GetSecretValueCommand, { SecretId: arn(i) }).resolves({
        SecretString: JSON.stringify({ username: 'pgsteward', password: STEWARD_PASSWORD, host: '127.0.0.1', port: d.cluster.port, dbname: d.name }),
      }));
    });

    it('concurrent per-target runs each check the server, and the server state notifies once', async () => {
      const config = parseConfig({ defaults: { health: HEALTH }, targets: dbs.map((_d, i) => ({ id: `s${i}`, connection: { secretArn: arn(i), sslmode: 'disable' } })) });
      const store = new LocalStateStore(tempDir());
      const reports = await Promise.all(['s0', 's1', 's2'].map(async (id) => {
        const [target] = selectTargets(config, [id]);
        const out = await runHealth(target, { alerts: resolveAlerts(config), state: store, logger: silentLogger, only: CHECKS, servers: new ServerClaims(config.targets ?? []) });
        return out.report;
      }));
      expect(reports.map((r) => r.errors)).toEqual([[], [], []]);
      // Each run covered the server (none could know the others share it)...
      for (const r of reports) {
        expect(r.instanceChecks).toMatchObject({ server, coveredBy: r.target, note: expect.stringContaining('run time') });
        expect(r.findings).toContainEqual(expect.objectContaining({ check: 'connections', scope: 'server', severity: 'warning' }));
      }
      // ...yet the conditional write of the server state let exactly one of them notify.
      expect(keyed(all(reports), `${server}|connections|`)).toHaveLength(1);
      for (const d of dbs) expect(keyed(all(reports), `${server}|xid_wraparound|database ${d.name}`)).toHaveLength(1);
    });

    it('in one process the first target to connect claims the server', async () => {
      const config = parseConfig({ defaults: { health: HEALTH }, targets: dbs.map((_d, i) => ({ id: `s${i}`, connection: { secretArn: arn(i), sslmode: 'disable' } })) });
      const servers = new ServerClaims(config.targets ?? []);
      const reports: HealthReport[] = [];
      for (const target of selectTargets(config)) {
        reports.push((await runHealth(target, { alerts: resolveAlerts(config), logger: silentLogger, only: ['connections'], servers })).report);
      }
      expect(all(reports).map((n) => n.key)).toEqual([`${server}|connections|`]);
      expect(reports.map((r) => r.instanceChecks?.coveredBy)).toEqual(['s0', 's0', 's0']);
      expect(reports[0].instanceChecks?.targets).toEqual(['s0']);
      expect(reports[2].instanceChecks?.targets).toEqual(['s0', 's1', 's2']);
    });
  });
});
