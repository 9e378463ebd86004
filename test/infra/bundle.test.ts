/**
 * The health function exactly as it would be deployed: the real stack synthesized once with
 * bundling on (local esbuild), its asset directory found in the cloud assembly, and the bundled
 * index.js (not the source) required and invoked against the test PostgreSQL and s3rver.
 *
 * The stack refuses a password in a deployed config, so the bundled config reaches the test
 * database without one: through the cluster's Unix socket directory, where the test cluster
 * trusts local connections. The handler therefore runs on the config file bundled beside it, as
 * in Lambda. No topic is configured: the bundle carries its own copy of the AWS SDK, which this
 * file's aws-sdk-client-mock could not intercept.
 */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUNDLED_CONFIG_FILE } from '../../infra/constructs/advisor-function';
import { useTestDatabase } from '../support/db';
import { lambdaContext } from '../support/lambda-context';
import { loadBundledHandler, synthFunctionAsset } from '../support/bundle';
import { useSavedEnv } from '../support/lambda-env';
import { getText, listKeys, LocalS3, startS3 } from '../support/s3';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports */

jest.setTimeout(120_000);

const BUCKET = 'pgsteward-bundle-test';
const TARGET = 'bundled';
const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;

describe('the bundled health function', () => {
  const t = useTestDatabase();
  let s3: LocalS3;
  let outdir: string;
  let config: Record<string, any>;
  let assetDir: string;
  let synthMs = 0;
  useSavedEnv();

  beforeAll(async () => {
    s3 = await startS3({ buckets: [BUCKET] });

    // A problem for the bundle to find, so the report proves the checks really ran.
    await t.admin.query('create sequence bundle_seq as integer');
    await t.admin.query(`select setval('bundle_seq', 2083059138)`);
    t.applyRoleScript();

    config = {
      defaults: { health: { ignore: { replication_slots: ['pgsteward_test_*'] } } },
      targets: [{
        id: TARGET,
        // The cluster's socket directory sits beside its data directory; local connections are trusted.
        connection: { host: dirname(t.cluster.dataDir), port: t.cluster.port, database: t.name, user: 'pgsteward' },
      }],
      deploy: { stackName: 'PgstewardBundleTest' },
    };

    ({ outdir, assetDir, synthMs } = synthFunctionAsset(config, 'PgstewardBundleTest', 'pgsteward health advisor'));
  });

  afterAll(async () => {
    await s3?.stop();
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('synthesizes in well under 30 s', () => {
    expect(synthMs).toBeLessThan(30_000);
  });

  it('is a single index.js under 5 MB with the config document beside it', () => {
    const index = join(assetDir, 'index.js');
    expect(existsSync(index)).toBe(true);
    expect(statSync(index).size).toBeLessThan(MAX_BUNDLE_BYTES);
    expect(JSON.parse(readFileSync(join(assetDir, BUNDLED_CONFIG_FILE), 'utf8'))).toEqual(config);
  });

  it('runs from the bundle on its bundled config: the report lands in S3, the alert state beside it, and the summary is returned', async () => {
    const loadStarted = Date.now();
    const handler = loadBundledHandler(assetDir, { bucket: BUCKET, endpoint: s3.endpoint });
    const loadMs = Date.now() - loadStarted;

    const summary = await handler({}, lambdaContext({ functionName: 'PgstewardBundleTest-HealthFunction' }));

    expect(summary).toMatchObject({ targets: 1, worst: 'critical', results: [{ target: TARGET, worst: 'critical', errors: [] }] });
    const keys = await listKeys(s3, BUCKET, `pgsteward/advisor=health/target=${TARGET}/dt=`);
    expect(keys.filter((k) => k.endsWith('.json'))).toHaveLength(1);
    expect(keys.filter((k) => k.endsWith('.md'))).toHaveLength(1);
    const jsonKey = keys.find((k) => k.endsWith('.json'))!;
    expect(summary.results[0].report).toBe(`s3://${BUCKET}/${jsonKey}`);
    const report = JSON.parse(await getText(s3, BUCKET, jsonKey));
    expect(report).toMatchObject({ advisor: 'health', target: TARGET, server: { database: t.name }, errors: [] });
    expect(report.findings).toContainEqual(expect.objectContaining({ check: 'sequences', severity: 'critical', object: 'public.bundle_seq' }));
    // The target's own alerts, and its server's (this target owns the server's instance-level checks);
    // the socket directory host is encoded into one key segment.
    const stateKeys = await listKeys(s3, BUCKET, 'pgsteward-state/');
    expect(stateKeys).toHaveLength(2);
    expect(stateKeys).toContain(`pgsteward-state/health/${TARGET}.json`);
    expect(stateKeys.find((k) => k.includes('/server='))).toMatch(/^pgsteward-state\/health\/server=[^/]+\.json$/);
    if (process.env.PGSTEWARD_TEST_VERBOSE) process.stderr.write(`synth ${synthMs} ms, bundle load ${loadMs} ms\n`);
  });
});
