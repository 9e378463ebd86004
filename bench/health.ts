/**
 * Health-run benchmark (npx tsx bench/health.ts): a private cluster with 10,000 tables and 50
 * sessions in every state, then N stateless health runs through runHealth (the code path of
 * `pgsteward health` and the Lambda), against the targets: under 1 s and under 20
 * statements a run. For comparison, check_postgres (Debian package) runs the equivalent
 * actions, one process per action as it is meant to be scheduled.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { resolveAlerts, resolveTarget } from '../lib/config/resolve';
import type { Logger } from '../lib/log';
import { runHealth } from '../lib/runner/health';
import { ClusterInfo, STEWARD_PASSWORD, startCluster, stewardUrl, stopCluster, SUPERUSER_PASSWORD, superuserUrl } from '../test/support/cluster';

const TABLES = 10_000;
const BATCH = 1_000; // tables per transaction: each holds ~4 locks until commit (max_locks_per_transaction)
const RUNS = 10;
const DB = 'bench';
const TARGET_MS = 1000;
const TARGET_STATEMENTS = 20;
/** The figure for check_postgres when it cannot be installed here. */
const REFERENCE_CHECK_POSTGRES_S = 0.2;
/** check_postgres actions covering pgsteward's checks (none covers invalid indexes or permissions). */
const ACTIONS = ['connection', 'backends', 'query_time', 'txn_idle', 'txn_time', 'locks', 'txn_wraparound', 'sequence', 'prepared_txns', 'replication_slots', 'hitratio', 'last_autovacuum'];
/** Thresholds check_postgres insists on, matching what pgsteward is given below. */
const ACTION_ARGS: Record<string, string[]> = {
  query_time: ['--warning=1 second', '--critical=10 minutes'],
  txn_idle: ['--warning=1 second', '--critical=30 minutes'],
  txn_time: ['--warning=1 second', '--critical=30 minutes'],
  replication_slots: ['--warning=1 GB', '--critical=10 GB'],
};
const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function populate(info: ClusterInfo): Promise<void> {
  const root = new Client({ connectionString: superuserUrl(info) });
  await root.connect();
  await root.query(`create database ${DB}`);
  await root.end();
  const c = new Client({ connectionString: superuserUrl(info, DB) });
  await c.connect();
  for (let from = 1; from <= TABLES; from += BATCH) {
    // Every table gets a serial id (a sequence to read) and a primary key; every 10th a second index.
    await c.query(`do $$ begin
      for i in ${from}..${from + BATCH - 1} loop
        execute format('create table t%s (id serial primary key, v int, note text)', i);
        if i % 10 = 0 then execute format('create index on t%s (v)', i); end if;
      end loop; end $$`);
  }
  await c.query(`create table hot (id serial primary key, v int); insert into hot (v) select g from generate_series(1, 100) g`);
  await c.query(`select setval('t1_id_seq', 2000000000)`); // one sequence past the warning threshold
  await c.end();
  // Grants as a user would apply them: psql -f sql/roles.sql, after the objects exist.
  execFileSync(join(info.binDir, 'psql'), ['-X', '-q', '-f', join(__dirname, '../sql/roles.sql'), superuserUrl(info, DB)], { stdio: 'pipe' });
  const r = new Client({ connectionString: superuserUrl(info) });
  await r.connect();
  await r.query(`alter role pgsteward password '${STEWARD_PASSWORD}'`);
  await r.end();
}

/** 50 sessions: 20 idle, 10 idle in transaction (2 holding row locks), 14 running pg_sleep, 6 blocked. */
async function openSessions(info: ClusterInfo): Promise<Client[]> {
  const open = async () => {
    const c = new Client({ connectionString: superuserUrl(info, DB), application_name: 'bench-app' });
    c.on('error', () => undefined); // killed by the immediate shutdown at the end
    await c.connect();
    return c;
  };
  const clients = await Promise.all(Array.from({ length: 50 }, open));
  const [idle, inTx, active, blocked] = [clients.slice(0, 20), clients.slice(20, 30), clients.slice(30, 44), clients.slice(44)];
  void idle;
  for (const [i, c] of inTx.entries()) {
    await c.query('begin');
    await c.query(i < 2 ? `update hot set v = v + 1 where id = ${i + 1}` : `select count(*) from t${i}`);
  }
  for (const c of active) c.query('select pg_sleep(600)').catch(() => undefined);
  for (const [i, c] of blocked.entries()) c.query(`update hot set v = v - 1 where id = ${(i % 2) + 1}`).catch(() => undefined);
  return clients;
}

function checkPostgresBinary(): string | undefined {
  const bin = '/usr/bin/check_postgres';
  if (existsSync(bin)) return bin;
  if (process.getuid?.() !== 0) return undefined;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (spawnSync('apt-get', ['install', '-y', '-qq', 'check-postgres'], { env, stdio: 'pipe' }).status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'pipe' });
    spawnSync('apt-get', ['install', '-y', '-qq', 'check-postgres'], { env, stdio: 'pipe' });
  }
  return existsSync(bin) ? bin : undefined;
}

/** One process per action, as Nagios/cron would run it; returns seconds per action. */
function timeCheckPostgres(bin: string, info: ClusterInfo): { action: string; seconds: number; status: string }[] {
  return ACTIONS.map((action) => {
    const t0 = performance.now();
    const r = spawnSync(bin, [`--action=${action}`, '--host=127.0.0.1', `--port=${info.port}`, `--dbname=${DB}`, '--dbuser=postgres', ...(ACTION_ARGS[action] ?? [])], {
      encoding: 'utf8', timeout: 60_000, env: { ...process.env, PGPASSWORD: SUPERUSER_PASSWORD },
    });
    const seconds = (performance.now() - t0) / 1000;
    return { action, seconds, status: (r.stdout || r.stderr || '').split('\n')[0].slice(0, 60) };
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const row = (cells: (string | number)[], widths: number[]) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');

async function main(): Promise<void> {
  const t0 = Date.now();
  const info = await startCluster();
  let clients: Client[] = [];
  try {
    process.stderr.write(`bench: PostgreSQL ${info.major} on :${info.port}; creating ${TABLES} tables…\n`);
    await populate(info);
    clients = await openSessions(info);
    await sleep(1500); // sessions past the lowered thresholds below, so they are judged, not filtered out
    process.stderr.write(`bench: setup took ${((Date.now() - t0) / 1000).toFixed(1)} s; ${RUNS} health runs…\n`);

    const thresholds = { long_running_queries: { warning: 1 }, idle_in_transaction: { warning: 1 }, blocked_queries: { warning: 1 } };
    const target = resolveTarget({}, { id: 'bench', connection: { url: stewardUrl(info, DB) }, health: { thresholds } });
    const alerts = resolveAlerts({});
    const rssBefore = process.memoryUsage().rss;
    const times: number[] = [];
    const statements: number[] = [];
    let last;
    for (let i = 0; i <= RUNS; i++) {
      const start = performance.now();
      const { report } = await runHealth(target, { alerts, logger: silent });
      const ms = performance.now() - start;
      if (i === 0) {
        process.stderr.write(`bench: warm-up run ${ms.toFixed(0)} ms, worst ${report.summary.worst}, counts ${JSON.stringify(report.summary.counts)}\n`);
        const unknown = report.findings.filter((f) => f.severity === 'unknown');
        if (unknown.length) process.stderr.write(`bench: unknown findings: ${unknown.map((f) => f.message).join(' | ')}\n`);
        continue; // the first run also pays for lazy module loading in this process
      }
      times.push(ms);
      statements.push(report.statements);
      last = report;
    }
    const peakRssMb = process.resourceUsage().maxRSS / 1024;

    const cpBin = checkPostgresBinary();
    const cp = cpBin ? timeCheckPostgres(cpBin, info) : [];
    const cpTotal = cp.reduce((s, a) => s + a.seconds, 0);

    const median = pct(times, 50);
    const w = [34, 12, 10];
    const lines = [
      '',
      `pgsteward health: ${RUNS} runs, ${TABLES} tables, 50 sessions (PostgreSQL ${info.major})`,
      row(['figure', 'measured', 'target'], w),
      row(['wall time per run, median', `${median.toFixed(0)} ms`, `< ${TARGET_MS} ms`], w),
      row(['wall time per run, p90', `${pct(times, 90).toFixed(0)} ms`, `< ${TARGET_MS} ms`], w),
      row(['statements per run', `${Math.max(...statements)}`, `< ${TARGET_STATEMENTS}`], w),
      row(['peak RSS of the bench process', `${peakRssMb.toFixed(0)} MB`, ''], w),
      row(['RSS growth over the runs', `${((process.memoryUsage().rss - rssBefore) / 1024 / 1024).toFixed(1)} MB`, ''], w),
      row(['findings (last run)', `${last!.findings.length}`, `worst ${last!.summary.worst}`], w),
      '',
    ];
    if (cpBin) {
      lines.push(`check_postgres ${ACTIONS.length} actions, one process each (as superuser):`);
      for (const a of cp) lines.push(row([`  ${a.action}`, `${(a.seconds * 1000).toFixed(0)} ms`, a.status], [34, 12, 60]));
      lines.push(row(['check_postgres total', `${(cpTotal * 1000).toFixed(0)} ms`, ''], w));
      lines.push(row(['ratio pgsteward / check_postgres', `${(median / 1000 / cpTotal).toFixed(3)}`, `(${(cpTotal * 1000 / median).toFixed(1)}x faster)`], w));
    } else {
      const ref = REFERENCE_CHECK_POSTGRES_S * ACTIONS.length;
      lines.push(`check_postgres could not be installed (apt-get install check-postgres, as root); using the issue's reference of ~${REFERENCE_CHECK_POSTGRES_S} s per action:`);
      lines.push(row([`check_postgres reference total (${ACTIONS.length} actions)`, `${(ref * 1000).toFixed(0)} ms`, ''], w));
      lines.push(row(['ratio pgsteward / reference', `${(median / 1000 / ref).toFixed(3)}`, ''], w));
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    process.stderr.write(`bench: total ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    process.exitCode = median < TARGET_MS && Math.max(...statements) < TARGET_STATEMENTS ? 0 : 1;
  } finally {
    // Immediate shutdown ends the sleeping and blocked sessions with the server.
    stopCluster(info);
    await Promise.race([Promise.all(clients.map((c) => c.end().catch(() => undefined))), sleep(1000)]);
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
