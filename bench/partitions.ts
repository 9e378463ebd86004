/**
 * Partitions benchmark (npx tsx bench/partitions.ts): a private cluster with two identical
 * databases of 100 empty parents `ev_NNN (id bigint, at timestamptz not null, payload text)
 * partition by range (at)`, policy daily, premake 30, retention 90 days. pgsteward (runPartitions,
 * the code path of `pgsteward partitions` and the Lambda) maintains one, pg_partman 4.7 the
 * other; each is timed bringing all 100 up to date from scratch (catch-up) and then on a run
 * with nothing to do (steady state, median of 3). A second connection polls pg_locks during
 * both catch-ups for ACCESS EXCLUSIVE locks on a parent. Targets (from the issue): steady state
 * no slower than pg_partman's, catch-up within 2x, no ACCESS EXCLUSIVE lock on a parent.
 */
import { resolveAlerts, resolveTarget } from '../lib/config/resolve';
import { silentLogger } from '../lib/log';
import { runPartitions } from '../lib/runner/partitions';
import { startCluster, stopCluster, superuserUrl } from '../test/support/cluster';
import { PARTMAN_EXTENSIONS, partmanCatchUp, partmanSteadyState } from './partitions/partman';
import { connect, coverage, createDatabase, parentName, sampleLocks, timed } from './partitions/setup';

const TABLES = 100;
const PREMAKE = 30;
const RETENTION = '90 days';
const STEADY_RUNS = 3;
const CATCH_UP_RATIO_TARGET = 2;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

async function main(): Promise<number> {
  const t0 = Date.now();
  const info = await startCluster();
  try {
    await createDatabase(info, 'bench_pgs', TABLES);
    await createDatabase(info, 'bench_partman', TABLES, PARTMAN_EXTENSIONS);
    console.log(`cluster PG ${info.major} on port ${info.port}; 2 databases x ${TABLES} parents (daily, premake ${PREMAKE}, retention ${RETENTION})`);

    // pgsteward: one target holding 100 policies, one connection, one table at a time.
    const target = resolveTarget({}, {
      id: 'bench',
      connection: { url: superuserUrl(info, 'bench_pgs') },
      partitions: Array.from({ length: TABLES }, (_, i) => ({
        table: `public.${parentName(i + 1)}`, column: 'at', interval: '1 day', premake: PREMAKE, retention: RETENTION, retentionMode: 'drop' as const,
      })),
    });
    const opts = { alerts: resolveAlerts({}), logger: silentLogger };
    const pgsLocks = await sampleLocks(info, 'bench_pgs');
    const pgsCatch = await timed(() => runPartitions(target, opts));
    const pgsSeen = await pgsLocks.stop();
    if (pgsCatch.value.failed) throw new Error(`pgsteward catch-up failed: ${JSON.stringify(pgsCatch.value.report.tables.filter((t) => t.status !== 'ok').slice(0, 3))}`);
    const pgsSteady: number[] = [];
    for (let i = 0; i < STEADY_RUNS; i++) {
      const r = await timed(() => runPartitions(target, opts));
      if (r.value.failed || r.value.report.actions.length) throw new Error(`pgsteward steady-state run was not a no-op: ${r.value.report.actions.length} action(s)`);
      pgsSteady.push(r.ms);
    }

    // pg_partman 4.7: create_parent for each + retention in part_config, then run_maintenance_proc().
    const pm = await connect(info, 'bench_partman');
    const pmLocks = await sampleLocks(info, 'bench_partman');
    const pmCatch = await timed(() => partmanCatchUp(pm, TABLES, PREMAKE, RETENTION));
    const pmSeen = await pmLocks.stop();
    const pmSteady: number[] = [];
    for (let i = 0; i < STEADY_RUNS; i++) pmSteady.push((await timed(() => partmanSteadyState(pm))).ms);

    const pgsDb = await connect(info, 'bench_pgs');
    const pgsCov = await coverage(pgsDb, TABLES);
    const pmCov = await coverage(pm, TABLES);
    await pgsDb.end();
    await pm.end();

    const rows = [
      ['', 'catch-up', 'steady state (median)', 'partitions', 'parents without now', 'AccessExclusive on a parent'],
      ['pgsteward', fmt(pgsCatch.ms), fmt(median(pgsSteady)), String(pgsCov.partitions), String(pgsCov.parentsWithoutNow), `${pgsSeen.accessExclusive.length} (${pgsSeen.samples} samples)`],
      ['pg_partman 4.7', fmt(pmCatch.ms), fmt(median(pmSteady)), String(pmCov.partitions), String(pmCov.parentsWithoutNow), `${pmSeen.accessExclusive.length} (${pmSeen.samples} samples)`],
    ];
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    console.log('');
    for (const r of rows) console.log(r.map((v, c) => v.padEnd(widths[c])).join('  '));
    const catchRatio = pgsCatch.ms / pmCatch.ms;
    const steadyRatio = median(pgsSteady) / median(pmSteady);
    const checks = [
      [`catch-up ratio pgsteward/pg_partman ${catchRatio.toFixed(2)}x (target <= ${CATCH_UP_RATIO_TARGET}x)`, catchRatio <= CATCH_UP_RATIO_TARGET],
      [`steady-state ratio pgsteward/pg_partman ${steadyRatio.toFixed(2)}x (target <= 1x)`, steadyRatio <= 1],
      [`ACCESS EXCLUSIVE on a parent during pgsteward's catch-up: ${pgsSeen.accessExclusive.length ? pgsSeen.accessExclusive.slice(0, 5).join(', ') : 'none'} (target: none)`, pgsSeen.accessExclusive.length === 0],
      [`every parent takes a row for now(): pgsteward ${TABLES - pgsCov.parentsWithoutNow}/${TABLES}, pg_partman ${TABLES - pmCov.parentsWithoutNow}/${TABLES}`, pgsCov.parentsWithoutNow === 0],
    ] as const;
    console.log('');
    for (const [text, ok] of checks) console.log(`${ok ? 'PASS' : 'MISS'}  ${text}`);
    console.log(`(pg_partman 4.x also makes ${PREMAKE} partitions before now and a DEFAULT partition per parent; pgsteward makes now + ${PREMAKE} ahead.)`);
    console.log(`total ${fmt(Date.now() - t0)}`);
    return checks.every(([, ok]) => ok) ? 0 : 1;
  } finally {
    stopCluster(info);
  }
}

main().then((code) => { process.exitCode = code; }, (err) => {
  console.error(err);
  process.exitCode = 2;
});
