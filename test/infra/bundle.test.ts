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
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports */

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const CONTEXT = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context;
const BUCKET = 'pgsteward-bundle-test';
const TARGET = 'bundled';
const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;

const ENV_KEYS = [
  'PGSTEWARD_CONFIG', 'PGSTEWARD_CONFIG_FILE', 'PGSTEWARD_REPORTS_BUCKET', 'PGSTEWARD_STATE_BUCKET', 'PGSTEWARD_TOPIC_ARN',
  'PGSTEWARD_S3_ENDPOINT', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE',
  'POWERTOOLS_LOG_LEVEL', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
];

type Handler = (event: unknown, context: Context) => Promise<any>;

describe('the bundled health function', () => {
  const t = useTestDatabase();
  let s3: LocalS3;
  let outdir: string;
  let config: Record<string, any>;
  let assetDir: string;
  let synthMs = 0;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    for (const k of ENV_KEYS) saved[k] = process.env[k];
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

    outdir = mkdtempSync(join(tmpdir(), 'pgsteward-bundle-'));
    const started = Date.now();
    // Bundling on (cdk.json's context without 'aws:cdk:bundling-stacks'), asset paths in the metadata.
    const app = new App({ outdir, context: { ...CONTEXT, 'aws:cdk:enable-asset-metadata': true } });
    const stack = new PgstewardStack(app, 'PgstewardBundleTest', { config, configSource: 'bundle test config' });
    const assembly = app.synth();
    synthMs = Date.now() - started;

    const template = assembly.getStackArtifact(stack.artifactId).template;
    const functions = Object.values(template.Resources as Record<string, any>).filter((r) => r.Type === 'AWS::Lambda::Function');
    const health = functions.filter((f) => f.Properties.Description === 'pgsteward health advisor');
    expect(health).toHaveLength(1);
    expect(health[0].Metadata['aws:asset:property']).toBe('Code');
    assetDir = join(assembly.directory, health[0].Metadata['aws:asset:path']);
    // The same directory the deployed Code points at.
    expect(health[0].Properties.Code.S3Key).toBe(`${health[0].Metadata['aws:asset:path'].replace(/^asset\./, '')}.zip`);
  });

  afterAll(async () => {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
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
    for (const k of ENV_KEYS) delete process.env[k];
    Object.assign(process.env, {
      // What the stack sets (minus the topic), plus the S3-compatible endpoint of this test.
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
    const loadStarted = Date.now();
    jest.isolateModules(() => {
      handler = require(join(assetDir, 'index.js')).handler;
    });
    const loadMs = Date.now() - loadStarted;
    expect(typeof handler).toBe('function');

    const summary = await handler!({}, lambdaContext({ functionName: 'PgstewardBundleTest-HealthFunction' }));

    expect(summary).toMatchObject({ targets: 1, worst: 'critical', results: [{ target: TARGET, worst: 'critical', errors: [] }] });
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `pgsteward/advisor=health/target=${TARGET}/dt=` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys.filter((k) => k.endsWith('.json'))).toHaveLength(1);
    expect(keys.filter((k) => k.endsWith('.md'))).toHaveLength(1);
    const jsonKey = keys.find((k) => k.endsWith('.json'))!;
    expect(summary.results[0].report).toBe(`s3://${BUCKET}/${jsonKey}`);
    const report = JSON.parse(await (await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: jsonKey }))).Body!.transformToString());
    expect(report).toMatchObject({ advisor: 'health', target: TARGET, server: { database: t.name }, errors: [] });
    expect(report.findings).toContainEqual(expect.objectContaining({ check: 'sequences', severity: 'critical', object: 'public.bundle_seq' }));
    const state = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'pgsteward-state/' }));
    // The target's own alerts, and its server's (this target owns the server's instance-level checks);
    // the socket directory host is encoded into one key segment.
    const stateKeys = (state.Contents ?? []).map((o) => o.Key!);
    expect(stateKeys).toHaveLength(2);
    expect(stateKeys).toContain(`pgsteward-state/health/${TARGET}.json`);
    expect(stateKeys.find((k) => k.includes('/server='))).toMatch(/^pgsteward-state\/health\/server=[^/]+\.json$/);
    if (process.env.PGSTEWARD_TEST_VERBOSE) process.stderr.write(`synth ${synthMs} ms, bundle load ${loadMs} ms\n`);
  });
});
