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
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { App } from 'aws-cdk-lib';
import { BUNDLED_CONFIG_FILE } from '../../infra/constructs/advisor-function';
import { PgstewardStack } from '../../infra/stack';
import { useTestDatabase } from '../support/db';
import { lambdaContext } from '../support/lambda-context';
import { LocalS3, startS3 } from '../support/s3';
import { CONTEXT } from './template';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports */

jest.setTimeout(120_000);

const BUCKET = 'pgsteward-advise-bundle-test';
const TARGET = 'bundled';
const WASM = 'libpg-query.wasm';
const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;

const ENV_KEYS = [
  'PGSTEWARD_CONFIG', 'PGSTEWARD_CONFIG_FILE', 'PGSTEWARD_REPORTS_BUCKET', 'PGSTEWARD_STATE_BUCKET', 'PGSTEWARD_TOPIC_ARN',
  'PGSTEWARD_S3_ENDPOINT', 'PGSTEWARD_CONCURRENCY', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_PROFILE', 'POWERTOOLS_LOG_LEVEL', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
];

type Handler = (event: unknown, context: Context) => Promise<any>;

/**
 * The bulk load is not the workload: advise prices an index against the table's write counters,
 * and 50k inserts against 3 selects would (rightly) outweigh it. The loading backend flushes its
 * counters to pg_stat_user_tables some time after the fact (PG15+: within about a second of going
 * idle), so wait until they are there before resetting them, or they would land after the reset.
 */
async function resetWriteCounters(admin: { query: (sql: string, values?: unknown[]) => Promise<{ rows: any[] }> }, table: string, loaded: number): Promise<void> {
  const inserted = async () => (await admin.query('select n_tup_ins::int as n from pg_stat_user_tables where relname = $1', [table])).rows[0]?.n ?? 0;
  for (let waited = 0; (await inserted()) < loaded; waited += 100) {
    if (waited > 15_000) throw new Error(`the ${loaded} inserts into ${table} never reached pg_stat_user_tables`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await admin.query('select pg_stat_reset()');
  expect(await inserted()).toBe(0);
}

describe('the bundled advise function', () => {
  const t = useTestDatabase();
  let s3: LocalS3;
  let outdir: string;
  let assetDir: string;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    for (const k of ENV_KEYS) saved[k] = process.env[k];
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
    outdir = mkdtempSync(join(tmpdir(), 'pgsteward-advise-bundle-'));
    const app = new App({ outdir, context: { ...CONTEXT, 'aws:cdk:enable-asset-metadata': true } });
    const stack = new PgstewardStack(app, 'PgstewardAdviseBundleTest', { config, configSource: 'advise bundle test config' });
    const assembly = app.synth();
    const template = assembly.getStackArtifact(stack.artifactId).template;
    const advise = Object.values(template.Resources as Record<string, any>)
      .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === 'pgsteward advise advisor');
    expect(advise).toHaveLength(1);
    assetDir = join(assembly.directory, advise[0].Metadata['aws:asset:path']);
    // The same directory the deployed Code points at.
    expect(advise[0].Properties.Code.S3Key).toBe(`${advise[0].Metadata['aws:asset:path'].replace(/^asset\./, '')}.zip`);
  });

  afterAll(async () => {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
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
    for (const k of ENV_KEYS) delete process.env[k];
    Object.assign(process.env, {
      PGSTEWARD_REPORTS_BUCKET: BUCKET,
      PGSTEWARD_STATE_BUCKET: BUCKET,
      PGSTEWARD_S3_ENDPOINT: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      POWERTOOLS_LOG_LEVEL: process.env.PGSTEWARD_TEST_VERBOSE ? 'DEBUG' : 'SILENT',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    let handler: Handler | undefined;
    jest.isolateModules(() => {
      handler = require(join(assetDir, 'index.js')).handler;
    });
    expect(typeof handler).toBe('function');

    // The default budget (a tenth of this tiny database) is smaller than the index.
    const summary = await handler!({ storageBudget: '80MB' }, lambdaContext({ functionName: 'PgstewardAdviseBundleTest-AdviseFunction' }));

    expect(summary).toMatchObject({ targets: 1, results: [{ target: TARGET, errors: [] }] });
    expect(summary.results[0].recommendations).toBeGreaterThanOrEqual(1);
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `pgsteward/advisor=advise/target=${TARGET}/dt=` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys.filter((k) => k.endsWith('.md'))).toHaveLength(1);
    const jsonKey = keys.find((k) => k.endsWith('.json'))!;
    expect(summary.results[0].report).toBe(`s3://${BUCKET}/${jsonKey}`);
    const report = JSON.parse(await (await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: jsonKey }))).Body!.transformToString());
    expect(report).toMatchObject({ advisor: 'advise', target: TARGET, server: { database: t.name }, errors: [] });
    expect(report.recommendations).toContainEqual(expect.objectContaining({ table: 'public.bundle_orders', columns: ['customer_id'] }));
    const state = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'pgsteward-state/' }));
    expect((state.Contents ?? []).map((o) => o.Key)).toEqual([`pgsteward-state/advise/${TARGET}.json`]);
  });
});
