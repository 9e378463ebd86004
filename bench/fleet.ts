/**
 * Fleet benchmark (npm run bench:fleet): 50 databases on one local cluster, each with the same
 * small schema and workload; the health and advise code run once per target, each in its own
 * Node process from an esbuild bundle (as one invocation of the fan-out runs it), against
 * s3rver for reports and state. Prints per-target duration and peak memory, S3 requests per run,
 * and the projected monthly AWS bill for 200 databases at the default schedules with every line
 * of arithmetic (README, "What it costs").
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { Client } from 'pg';
import { DEPLOY_DEFAULTS } from '../lib/config/defaults';
import { schedulePeriodMs } from '../lib/config/schedule-period';
import { STEWARD_PASSWORD, startCluster, stewardUrl, stopCluster, superuserUrl } from '../test/support/cluster';
import { startS3 } from '../test/support/s3';
import { advisorCost, AdvisorLoad, formatLines, snsCost, total } from './fleet/cost';

const DATABASES = Number(process.env.FLEET_DATABASES ?? 50);
const PROJECTED_TARGETS = 200;
const ROWS = 50_000;
const BUCKET = 'fleet-bench';
/** Powertools writes ~4 JSON lines per invocation (start, per-target, summary, end) of ~500 B. */
const LOG_BYTES_PER_RUN = 2_000;

interface RunStat { ms: number; maxRssMB: number; statements: number; errors: string[]; requests: Record<string, number> }

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const median = (xs: number[]) => pct(xs, 0.5);

async function populateTemplate(url: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  await c.query(`create table customers (id bigint primary key, email text not null, country text not null, created_at timestamptz not null)`);
  await c.query(`insert into customers select i, 'user' || i || '@example.com', (array['FR','DE','US','JP'])[1 + i % 4], now() - (i || ' minutes')::interval from generate_series(1, ${ROWS / 10}) i`);
  await c.query(`create table orders (id bigint primary key, customer_id bigint not null, status text not null, total numeric(12,2) not null, created_at timestamptz not null)`);
  await c.query(`insert into orders select i, 1 + i % ${ROWS / 10}, (array['new','paid','shipped','cancelled'])[1 + i % 4], (i % 1000) / 10.0, now() - (i || ' seconds')::interval from generate_series(1, ${ROWS}) i`);
  // A daily-partitioned event table, owned by an application role the steward is granted (as
  // the role script documents), for the partitions runs.
  await c.query(`create role app_owner nologin`).catch(() => undefined);
  await c.query(`create table events (id bigint not null, at timestamptz not null, kind text) partition by range (at)`);
  await c.query(`alter table events owner to app_owner`);
  await c.query('analyze');
  await c.end();
}

/** The day's workload: lookups that want an index, and ones that already have one. */
async function workload(url: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  for (let i = 1; i <= 20; i++) {
    await c.query('select * from orders where customer_id = $1', [i]);
    await c.query('select count(*) from orders where status = $1 and created_at > $2', ['paid', new Date(Date.now() - 3_600_000)]);
    await c.query('select * from customers where email = $1', [`user${i}@example.com`]);
    await c.query('select * from orders where id = $1', [i]);
  }
  await c.end();
}

async function bundleDriver(dir: string): Promise<string> {
  const outfile = join(dir, 'driver.js');
  await build({ entryPoints: [join(__dirname, 'fleet', 'driver.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, external: ['pg-native'], logLevel: 'error', keepNames: true });
  // libpg-query reads its WASM from beside the script, as in the Lambda asset.
  copyFileSync(join(dirname(require.resolve('libpg-query/package.json')), 'wasm', 'libpg-query.wasm'), join(dir, 'libpg-query.wasm'));
  return outfile;
}

/** Async on purpose: s3rver runs in this process, and a blocking spawn would starve it. */
async function runOne(driver: string, input: object): Promise<RunStat> {
  const { stdout } = await promisify(execFile)(process.execPath, [driver, JSON.stringify(input)], {
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

function describe(name: string, stats: RunStat[]): { runMs: number; puts: number; gets: number; rss: number } {
  const ms = stats.map((s) => s.ms);
  const rss = stats.map((s) => s.maxRssMB);
  const puts = median(stats.map((s) => s.requests.PutObjectCommand ?? 0));
  const gets = median(stats.map((s) => (s.requests.GetObjectCommand ?? 0) + (s.requests.HeadObjectCommand ?? 0) + (s.requests.ListObjectsV2Command ?? 0)));
  const errors = stats.flatMap((s) => s.errors);
  console.log(`${name.padEnd(14)} ${stats.length} targets: duration p50 ${median(ms).toFixed(0)} ms, p95 ${pct(ms, 0.95).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms; `
    + `peak RSS p50 ${median(rss).toFixed(0)} MB, max ${Math.max(...rss).toFixed(0)} MB; statements p50 ${median(stats.map((s) => s.statements))}; `
    + `S3 per run: ${JSON.stringify(stats[stats.length - 1].requests)}${errors.length ? `; ${errors.length} run error(s): ${errors[0]}` : ''}`);
  return { runMs: median(ms), puts, gets, rss: Math.max(...rss) };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'pgsteward-fleet-'));
  const cluster = await startCluster();
  const s3 = await startS3({ buckets: [BUCKET] });
  try {
    const root = new Client({ connectionString: superuserUrl(cluster) });
    await root.connect();
    await root.query('create database fleet_template');
    await populateTemplate(superuserUrl(cluster, 'fleet_template'));
    spawnSync(join(cluster.binDir, 'psql'), ['-X', '-q', '-f', join(__dirname, '..', 'sql', 'roles.sql'), superuserUrl(cluster, 'fleet_template')], { stdio: 'pipe' });
    // A constant of the test harness, not a secret: the role script creates the role without one.
    await root.query(`alter role pgsteward password '${STEWARD_PASSWORD}'`);
    await root.query('grant app_owner to pgsteward');
    const names = Array.from({ length: DATABASES }, (_, i) => `fleet_${String(i + 1).padStart(2, '0')}`);
    const t0 = Date.now();
    for (const n of names) await root.query(`create database ${n} template fleet_template`);
    await root.end();
    for (const n of names) await workload(superuserUrl(cluster, n));
    console.error(`${DATABASES} databases with ${ROWS} orders each and their workload, in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const config = {
      defaults: { health: { ignore: { replication_slots: ['*'] } } },
      targets: names.map((n) => ({
        id: n.replace('_', '-'),
        connection: { url: stewardUrl(cluster, n) },
        partitions: [{ table: 'public.events', column: 'at', interval: '1 day', premake: 7, retention: '30 days' }],
      })),
    };
    const driver = await bundleDriver(work);
    const results: Record<string, ReturnType<typeof describe>> = {};
    // One at a time: each figure is one invocation's, not a share of a busy machine.
    const runAll = async (advisor: 'health' | 'advise' | 'partitions') => {
      const stats: RunStat[] = [];
      for (let i = 0; i < names.length; i++) stats.push(await runOne(driver, { advisor, config, targetIndex: i, endpoint: s3.endpoint, bucket: BUCKET }));
      return stats;
    };
    results.health = describe('health', await runAll('health'));
    // The next run finds the same verdicts: a quiet run (health.unchangedReportEvery, 1 h), as 11
    // of every 12 five-minute runs are when nothing changes.
    const quiet = describe('health (quiet)', await runAll('health'));
    const perHour = 60 / (schedulePeriodMs(DEPLOY_DEFAULTS.healthSchedule)! / 60_000);
    results.health = {
      ...results.health,
      puts: (results.health.puts + (perHour - 1) * quiet.puts) / perHour,
      gets: (results.health.gets + (perHour - 1) * quiet.gets) / perHour,
    };
    console.log(`health S3 requests per run, averaged over an unchanged hour: ${results.health.puts.toFixed(2)} PUT, ${results.health.gets.toFixed(2)} GET`);
    results.advise = describe('advise', await runAll('advise'));
    // The first run creates today's and 7 premade partitions; the hourly steady state creates none.
    describe('partitions (first run)', await runAll('partitions'));
    results.partitions = describe('partitions', await runAll('partitions'));

    const load = (name: 'health' | 'advise', memoryMB: number, periodExpr: string, orchestration: AdvisorLoad['orchestration']): AdvisorLoad => ({
      name, periodMs: schedulePeriodMs(periodExpr)!, targets: PROJECTED_TARGETS, memoryMB, runMs: results[name].runMs,
      s3Puts: results[name].puts, s3Gets: results[name].gets, logBytes: LOG_BYTES_PER_RUN, orchestration, maxConcurrency: 10,
    });
    const health = load('health', DEPLOY_DEFAULTS.memorySize, DEPLOY_DEFAULTS.healthSchedule, 'express');
    const advise = load('advise', DEPLOY_DEFAULTS.adviseMemorySize, DEPLOY_DEFAULTS.adviseSchedule, 'standard');
    // Partitions: the hourly steady state (nothing to create), measured; a report every run.
    const partitions: AdvisorLoad = {
      ...health, name: 'partitions', periodMs: schedulePeriodMs(DEPLOY_DEFAULTS.partitionsSchedule)!,
      memoryMB: DEPLOY_DEFAULTS.partitionsMemorySize, runMs: results.partitions.runMs, s3Puts: results.partitions.puts, s3Gets: results.partitions.gets,
    };
    const lines = [...advisorCost(health), ...advisorCost(advise), ...advisorCost(partitions), ...snsCost(PROJECTED_TARGETS, 1, 2)];
    console.log(`\nProjected monthly cost, ${PROJECTED_TARGETS} databases, default schedules (health ${DEPLOY_DEFAULTS.healthSchedule}, advise ${DEPLOY_DEFAULTS.adviseSchedule}, partitions ${DEPLOY_DEFAULTS.partitionsSchedule}):\n`);
    console.log(formatLines(lines));
    const standardHealth = advisorCost(health, 'standard').find((l) => l.item.includes('Step Functions'))!;
    const expressHealth = advisorCost(health).find((l) => l.item.includes('Step Functions'))!;
    const lambdaHealth = advisorCost(health).filter((l) => l.item.includes('Lambda'));
    console.log(`\nHealth orchestration: Standard ${standardHealth.arithmetic} = $${standardHealth.usd.toFixed(2)}; `
      + `Express $${expressHealth.usd.toFixed(2)}; all of health's Lambda time $${total(lambdaHealth).toFixed(2)} `
      + `(Standard / Lambda = ${(standardHealth.usd / total(lambdaHealth)).toFixed(1)}×).`);
    console.log(`Peak memory: health ${results.health.rss.toFixed(0)} MB of ${DEPLOY_DEFAULTS.memorySize} MB; advise ${results.advise.rss.toFixed(0)} MB of ${DEPLOY_DEFAULTS.adviseMemorySize} MB; partitions ${results.partitions.rss.toFixed(0)} MB of ${DEPLOY_DEFAULTS.partitionsMemorySize} MB.`);
  } finally {
    await s3.stop();
    stopCluster(cluster);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
