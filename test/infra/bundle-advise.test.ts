/**
 * The advise function exactly as it would be deployed: the real stack synthesized with bundling
 * on, its asset found in the cloud assembly, and the bundled index.js required and invoked
 * against the test PostgreSQL and s3rver. What this adds to bundle.test.ts: libpg-query's
 * Emscripten loader reads `libpg-query.wasm` from `__dirname` at run time, which in the bundle is
 * the asset directory, so a recommendation in the report proves the copied module is found there.
 *
 * As in bundle.test.ts the bundled config reaches the database through the cluster's Unix socket
 * directory without a password, and no topic is configured (the bundle's own SDK copy cannot be
 * mocked from here).
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUNDLED_CONFIG_FILE } from '../../infra/constructs/advisor-function';
import { resetWriteCounters, useTestDatabase } from '../support/db';
import { lambdaContext } from '../support/lambda-context';
import { loadBundledHandler, synthFunctionAsset } from '../support/bundle';
import { useSavedEnv } from '../support/lambda-env';
import { getText, listKeys, LocalS3, startS3 } from '../support/s3';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports */

jest.setTimeout(120_000);

const BUCKET = 'pgsteward-advise-bundle-test';
const TARGET = 'bundled';
const WASM = 'libpg-query.wasm';
const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;

describe('the bundled advise function', () => {
  const t = useTestDatabase();
  let s3: LocalS3;
  let outdir: string;
  let assetDir: string;
  useSavedEnv();

  beforeAll(async () => {
    s3 = await startS3({ buckets: [BUCKET] });

    // A workload with one index worth creating: equality on a selective, unindexed column.
    await t.admin.query('create table bundle_orders (id bigserial primary key, customer_id int not null, note text not null)');
    await t.admin.query(`insert into bundle_orders (customer_id, note) select g % 25000, 'note ' || g from generate_series(1, 50000) g`);
    await t.admin.query('vacuum analyze bundle_orders');
    t.applyRoleScript();
    await resetWriteCounters(t.admin, 'bundle_orders', 50_000);
    const workload = await t.session();
    for (const c of [7, 11, 13]) await workload.query('select * from bundle_orders where customer_id = $1', [c]);

    const config = {
      // Thresholds for a test-sized workload: any mean time counts.
      defaults: { advise: { minMeanTimeMs: 0 } },
      targets: [{
        id: TARGET,
        // The cluster's socket directory sits beside its data directory; local connections are trusted.
        connection: { host: dirname(t.cluster.dataDir), port: t.cluster.port, database: t.name, user: 'pgsteward' },
      }],
      deploy: { stackName: 'PgstewardAdviseBundleTest' },
    };
    ({ outdir, assetDir } = synthFunctionAsset(config, 'PgstewardAdviseBundleTest', 'pgsteward advise advisor'));
  });

  afterAll(async () => {
    await s3?.stop();
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('carries libpg-query.wasm beside index.js, readable by Lambda\'s user, and stays under 5 MB', () => {
    const files = readdirSync(assetDir).sort();
    expect(files).toEqual(['index.js', 'index.js.map', WASM, BUNDLED_CONFIG_FILE].sort());
    const installed = join(dirname(require.resolve('libpg-query/package.json')), 'wasm', WASM);
    expect(readFileSync(join(assetDir, WASM)).equals(readFileSync(installed))).toBe(true);
    expect(statSync(join(assetDir, WASM)).mode & 0o444).toBe(0o444);
    // libpg-query's JavaScript is inlined, not required from node_modules, and looks beside itself.
    const code = readFileSync(join(assetDir, 'index.js'), 'utf8');
    expect(code).not.toMatch(/require\("libpg-query"\)/);
    expect(code).toContain(`"${WASM}"`);
    expect(code).toContain('__dirname+"/"');
    // What Lambda loads (the source map is read only to print a stack trace).
    const loaded = files.filter((f) => !f.endsWith('.map')).reduce((n, f) => n + statSync(join(assetDir, f)).size, 0);
    expect(loaded).toBeLessThan(MAX_BUNDLE_BYTES);
    if (process.env.PGSTEWARD_TEST_VERBOSE) {
      process.stderr.write(`advise asset: ${files.map((f) => `${f} ${statSync(join(assetDir, f)).size}`).join(', ')}\n`);
    }
    expect(existsSync(join(assetDir, 'node_modules'))).toBe(false);
  });

  it('runs from the bundle: the parser loads its WASM from the asset, and the report with a recommendation lands in S3', async () => {
    const handler = loadBundledHandler(assetDir, { bucket: BUCKET, endpoint: s3.endpoint });

    // The default budget (a tenth of this tiny database) is smaller than the index.
    const summary = await handler({ storageBudget: '80MB' }, lambdaContext({ functionName: 'PgstewardAdviseBundleTest-AdviseFunction' }));

    expect(summary).toMatchObject({ targets: 1, results: [{ target: TARGET, errors: [] }] });
    expect(summary.results[0].recommendations).toBeGreaterThanOrEqual(1);
    const keys = await listKeys(s3, BUCKET, `pgsteward/advisor=advise/target=${TARGET}/dt=`);
    expect(keys.filter((k) => k.endsWith('.md'))).toHaveLength(1);
    const jsonKey = keys.find((k) => k.endsWith('.json'))!;
    expect(summary.results[0].report).toBe(`s3://${BUCKET}/${jsonKey}`);
    const report = JSON.parse(await getText(s3, BUCKET, jsonKey));
    expect(report).toMatchObject({ advisor: 'advise', target: TARGET, server: { database: t.name }, errors: [] });
    expect(report.recommendations).toContainEqual(expect.objectContaining({ table: 'public.bundle_orders', columns: ['customer_id'] }));
    expect(await listKeys(s3, BUCKET, 'pgsteward-state/')).toEqual([`pgsteward-state/advise/${TARGET}.json`]);
  });
});
