/**
 * Per-test-file databases cloned from the template (fast and isolated), plus one-line helpers.
 *
 *   const t = useTestDatabase();           // in a describe or at file top
 *   await t.admin.query('create table …'); // fixtures as superuser
 *   t.stewardUrl                            // what pgsteward connects with (restricted role)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { ClusterInfo, stewardUrl, superuserUrl } from './cluster';

export function clusterInfo(): ClusterInfo {
  const raw = process.env.PGSTEWARD_TEST_CLUSTER;
  if (!raw) throw new Error('PGSTEWARD_TEST_CLUSTER is not set: run the tests through jest (npm test), whose global setup starts the cluster');
  return JSON.parse(raw);
}

export interface TestDatabase {
  name: string;
  cluster: ClusterInfo;
  /** Superuser connection to the test database, for fixtures. */
  admin: Client;
  /** URL of the test database as superuser. */
  url: string;
  /** URL of the test database as the restricted `pgsteward` role from sql/roles.sql. */
  stewardUrl: string;
  /** Opens another superuser session (e.g. one that holds a lock); closed after the file. */
  session(): Promise<Client>;
  /** Re-runs sql/roles.sql, as a user would after creating objects. */
  applyRoleScript(): void;
}

export async function createTestDatabase(): Promise<TestDatabase & { drop(): Promise<void> }> {
  const cluster = clusterInfo();
  const name = `t_${randomBytes(5).toString('hex')}`;
  const root = new Client({ connectionString: superuserUrl(cluster) });
  await root.connect();
  await root.query(`create database ${name} template pgsteward_template`);
  await root.end();
  const url = superuserUrl(cluster, name);
  const admin = new Client({ connectionString: url });
  await admin.connect();
  admin.on('error', () => undefined);
  const sessions: Client[] = [];
  return {
    name,
    cluster,
    admin,
    url,
    stewardUrl: stewardUrl(cluster, name),
    async session() {
      const c = new Client({ connectionString: url });
      c.on('error', () => undefined);
      await c.connect();
      sessions.push(c);
      return c;
    },
    applyRoleScript() {
      execFileSync(join(cluster.binDir, 'psql'), ['-X', '-q', '-f', join(__dirname, '../../sql/roles.sql'), url], { stdio: 'pipe' });
    },
    async drop() {
      await Promise.all(sessions.map((s) => s.end().catch(() => undefined)));
      await admin.end().catch(() => undefined);
      const r = new Client({ connectionString: superuserUrl(cluster) });
      await r.connect();
      await r.query(`drop database if exists ${name} with (force)`);
      await r.end();
    },
  };
}

/** Creates the database before the file's tests and drops it afterwards. */
export function useTestDatabase(): TestDatabase {
  const holder = {} as { db?: TestDatabase & { drop(): Promise<void> } };
  beforeAll(async () => {
    holder.db = await createTestDatabase();
  });
  afterAll(async () => {
    await holder.db?.drop();
  });
  return new Proxy({} as TestDatabase, {
    get(_t, prop) {
      if (!holder.db) throw new Error('test database used before beforeAll ran');
      return (holder.db as any)[prop];
    },
  });
}

/**
 * The bulk load is not the workload: advise prices an index against the table's write counters,
 * and 50k inserts against 3 selects would (rightly) outweigh it. The loading backend flushes its
 * counters to pg_stat_user_tables some time after the fact (PG15+: within about a second of going
 * idle), so wait until they are there before resetting them, or they would land after the reset.
 */
export async function resetWriteCounters(admin: { query: (sql: string, values?: unknown[]) => Promise<{ rows: any[] }> }, table: string, loaded: number): Promise<void> {
  const inserted = async () => (await admin.query('select n_tup_ins::int as n from pg_stat_user_tables where relname = $1', [table])).rows[0]?.n ?? 0;
  for (let waited = 0; (await inserted()) < loaded; waited += 100) {
    if (waited > 15_000) throw new Error(`the ${loaded} inserts into ${table} never reached pg_stat_user_tables`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await admin.query('select pg_stat_reset()');
  expect(await inserted()).toBe(0);
}
