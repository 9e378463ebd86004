/**
 * Fixtures of the partitions benchmark: two identical databases of N empty range-partitioned
 * parents, and a pg_locks sampler that records any ACCESS EXCLUSIVE lock taken on a parent.
 */
import { Client } from 'pg';
import { ClusterInfo, superuserUrl } from '../../test/support/cluster';

export const parentName = (i: number) => `ev_${String(i).padStart(3, '0')}`;

export async function connect(info: ClusterInfo, db = 'postgres'): Promise<Client> {
  const c = new Client({ connectionString: superuserUrl(info, db) });
  c.on('error', () => undefined); // killed by the immediate shutdown at the end
  await c.connect();
  return c;
}

/** Creates `name` with `tables` parents `ev_NNN (id bigint, at timestamptz not null, payload text) partition by range (at)`. */
export async function createDatabase(info: ClusterInfo, name: string, tables: number, extensions: string[] = []): Promise<void> {
  const root = await connect(info);
  await root.query(`create database ${name}`);
  await root.end();
  const c = await connect(info, name);
  for (const ext of extensions) await c.query(ext);
  const ddl = Array.from({ length: tables }, (_, i) =>
    `create table ${parentName(i + 1)} (id bigint, at timestamptz not null, payload text) partition by range (at);`).join('\n');
  await c.query(ddl);
  await c.end();
}

/** Partitions attached to the ev_* parents, and how many parents cannot take a row for now() (tried, rolled back). */
export async function coverage(c: Client, tables: number): Promise<{ partitions: number; parentsWithoutNow: number }> {
  const { rows } = await c.query(`select count(*)::int as n from pg_inherits i join pg_class p on p.oid = i.inhparent where p.relname ~ '^ev_[0-9]{3}$'`);
  let parentsWithoutNow = 0;
  for (let i = 1; i <= tables; i++) {
    await c.query('begin');
    try {
      await c.query(`insert into ${parentName(i)} (id, at) values (1, now())`);
    } catch {
      parentsWithoutNow++;
    }
    await c.query('rollback');
  }
  return { partitions: rows[0].n, parentsWithoutNow };
}

export interface LockSampler {
  stop(): Promise<{ samples: number; accessExclusive: string[] }>;
}

/**
 * Polls pg_locks from its own connection every `everyMs` while the work runs, noting every
 * parent seen under an ACCESS EXCLUSIVE lock (held or awaited) by any other backend.
 */
export async function sampleLocks(info: ClusterInfo, db: string, everyMs = 2): Promise<LockSampler> {
  const c = await connect(info, db);
  const { rows } = await c.query(`select array_agg(oid::int) as oids from pg_class where relname ~ '^ev_[0-9]{3}$' and relkind = 'p'`);
  const oids: number[] = rows[0].oids;
  const seen = new Set<string>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const r = await c.query(`select l.relation::regclass::text as rel from pg_locks l
        where l.locktype = 'relation' and l.mode = 'AccessExclusiveLock' and l.relation = any($1::oid[]) and l.pid <> pg_backend_pid()`, [oids]);
      samples++;
      for (const row of r.rows) seen.add(row.rel);
      await new Promise((res) => setTimeout(res, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await c.end();
      return { samples, accessExclusive: [...seen].sort() };
    },
  };
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}
