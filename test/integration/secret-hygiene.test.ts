/**
 * No password, secret value or IAM token ever leaves pgsteward: every advisor is run through the
 * CLI and through its Lambda handler against targets with (a) a wrong password, (b) an
 * unreachable host, (c) a just-rotated secret and (d) good credentials, each password a
 * distinctive canary. Everything produced is captured and searched for the canaries: stdout,
 * stderr, console and logger output (Powertools at DEBUG), every report and state file (local
 * dir and s3rver bucket), every SNS message, and every error thrown, with its cause chain.
 *
 * Deployed functions get no password in their environment: the config is bundled, not passed in
 * env (functions/constants.ts), and infra/deploy-settings.ts refuses a config holding one
 * (test/infra/deploy-settings.test.ts); here we only check that refusal does not echo it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { deploySettings } from '../../infra/deploy-settings';
import { forgetSecret } from '../../lib/pg';
import { connectTarget } from '../../lib/pg/connect-target';
import { cli } from '../support/cli';
import { useTestDatabase } from '../support/db';
import { lambdaContext } from '../support/lambda-context';
import { useLambdaEnv } from '../support/lambda-env';
import { LocalS3, startS3 } from '../support/s3';
import { registerSecret } from '../support/secret-capture';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports */

const t = useTestDatabase();
const tag = randomBytes(4).toString('hex');
const ROLE = `hyg_${tag}`;
const canary = (what: string) => `S3cr3t-canary-${what}-${tag}`;
const GOOD = canary('good');
const OLD = canary('old');
const WRONG = canary('wrong');
const DOWN = canary('down');
// The suite-wide scan (global teardown) looks for these too, in everything other files print.
for (const c of [GOOD, OLD, WRONG, DOWN]) registerSecret(c);
const CANARY = /S3cr3t-canary-/;
const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:pgsteward/${name}-AbCdEf`;
const ADVISORS = ['health', 'advise', 'partitions'] as const;
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:pgsteward-alerts';

const url = (password: string, port = t.cluster.port) => `postgres://${ROLE}:${password}@127.0.0.1:${port}/${t.name}`;
const secretOf = (password: string, port = t.cluster.port) =>
  ({ SecretString: JSON.stringify({ engine: 'postgres', username: ROLE, password, host: '127.0.0.1', port, dbname: t.name }) });

function config() {
  return {
    // One policy for every target: the maintainer runs (and fails on a table that is not there).
    defaults: { partitions: [{ table: 'public.hyg_events', column: 'at', interval: '1 day', premake: 1 }], advise: { minMeanTimeMs: 0 } },
    targets: [
      { id: 'a-wrong-password', connection: { url: url(WRONG) } },
      { id: 'a-wrong-secret', connection: { secretArn: arn('wrong') } },
      { id: 'b-unreachable', connection: { url: url(DOWN, 1), connectTimeout: '3s' } },
      { id: 'b-unreachable-secret', connection: { secretArn: arn('down'), connectTimeout: '3s' } },
      { id: 'c-rotated', connection: { secretArn: arn('rotated') } },
      { id: 'd-ok-secret', connection: { secretArn: arn('good') } },
      { id: 'd-ok-url', connection: { url: url(GOOD) } },
    ],
  };
}

/** Arms a SecretsManagerClient class (the test's or a cold-started handler's): the rotated secret gives the old password first. */
function armSecrets(mockClient: any, SecretsManagerClient: any, GetSecretValueCommand: any) {
  const sm = mockClient(SecretsManagerClient);
  sm.on(GetSecretValueCommand, { SecretId: arn('wrong') }).resolves(secretOf(WRONG));
  sm.on(GetSecretValueCommand, { SecretId: arn('down') }).resolves(secretOf(DOWN, 1));
  sm.on(GetSecretValueCommand, { SecretId: arn('rotated') }).resolvesOnce(secretOf(OLD)).resolves(secretOf(GOOD));
  sm.on(GetSecretValueCommand, { SecretId: arn('good') }).resolves(secretOf(GOOD));
  return sm;
}

/** Everything written to the process's stdout/stderr and console while `fn` runs. */
async function capturing<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown; output: string }> {
  let output = '';
  const grab = (chunk: unknown) => { output += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'); return true; };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(grab as any),
    jest.spyOn(process.stderr, 'write').mockImplementation(grab as any),
    ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => jest.spyOn(console, m).mockImplementation((...a: unknown[]) => { grab(`${a.map((x) => inspect(x, { depth: 8 })).join(' ')}\n`); })),
  ];
  try {
    return { value: await fn(), output };
  } catch (error) {
    return { error, output };
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}

const filesUnder = (dir: string) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));

/** Fails naming where a canary was found (and only a short excerpt around it). */
function expectNoCanary(where: string, text: string): void {
  const at = text.search(CANARY);
  expect(at === -1 ? where : `${where}: …${text.slice(Math.max(0, at - 80), at + 40)}…`).toBe(where);
}

let s3: LocalS3;

beforeAll(async () => {
  s3 = await startS3();
  await t.admin.query(`create role ${ROLE} login password '${GOOD}'`);
  await t.admin.query(`grant pg_monitor to ${ROLE}`);
});

afterAll(async () => {
  await s3?.stop();
  await t.admin.query(`drop role if exists ${ROLE}`).catch(() => undefined);
});

describe('the CLI', () => {
  const { mockClient } = require('aws-sdk-client-mock');
  const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
  let dir: string;
  let sm: any;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pgsteward-hygiene-'));
    // The config itself holds canaries (local use only); the outputs live elsewhere.
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config()));
  });
  beforeEach(() => {
    forgetSecret();
    sm = armSecrets(mockClient, SecretsManagerClient, GetSecretValueCommand);
  });
  afterEach(() => sm.restore());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(ADVISORS)('pgsteward %s prints, logs and writes no password, whatever happened to each target', async (advisor) => {
    const out = join(dir, `out-${advisor}`);
    const state = join(dir, `state-${advisor}`);
    const run = await capturing(() => cli(advisor, '--config', join(dir, 'config.json'), '--out', out, '--state', state, '--json'));
    expect(run.error).toBeUndefined();
    const r = run.value!;

    // Every case happened: the rotated target got in after one re-read, the bad ones did not.
    const reports = r.json<{ reports: any[] }>().reports;
    const byId = Object.fromEntries(reports.map((rep) => [rep.target, rep]));
    expect(Object.keys(byId).sort()).toEqual(config().targets.map((x) => x.id).sort());
    for (const id of ['a-wrong-password', 'a-wrong-secret', 'b-unreachable', 'b-unreachable-secret']) {
      expect(byId[id].errors).toContainEqual(expect.objectContaining({ stage: 'connect' }));
    }
    for (const id of ['c-rotated', 'd-ok-secret', 'd-ok-url']) {
      expect(byId[id].errors.filter((e: any) => e.stage === 'connect')).toEqual([]);
      expect(byId[id].server).toMatchObject({ version: expect.any(String) });
    }
    expect(sm.commandCalls(GetSecretValueCommand, { SecretId: arn('rotated') })).toHaveLength(2);
    expect(r.stderr).toMatch(/reading the secret again/);
    expect(r.stderr).toContain('password authentication failed');

    expectNoCanary('stdout', r.stdout);
    expectNoCanary('stderr', r.stderr);
    expectNoCanary('process output', run.output);
    const written = [...filesUnder(out), ...filesUnder(state)];
    expect(written.length).toBeGreaterThan(config().targets.length);
    for (const f of written) expectNoCanary(f, readFileSync(f, 'utf8'));
  });

  it('errors thrown by connectTarget carry no password, not even in their cause chain', async () => {
    const session = { statementTimeoutMs: 5_000, lockTimeoutMs: 1_000, connectTimeoutMs: 3_000 };
    for (const target of config().targets.slice(0, 4)) {
      const err = await connectTarget(target.connection as any, session).catch((e) => e);
      expect(err).toBeInstanceOf(Error);
      expectNoCanary(target.id, `${err.message}\n${err.stack}\n${inspect(err, { depth: 10, showHidden: true })}`);
    }
    const bad = await connectTarget({ url: `postgres://${ROLE}:${WRONG}@127.0.0.1:notaport/db` }, session).catch((e) => e);
    expectNoCanary('unparsable URL', `${bad.message}\n${inspect(bad, { depth: 10, showHidden: true })}`);
  });
});

describe('the Lambda handlers', () => {
  const lambda = useLambdaEnv();

  it.each(ADVISORS)('the %s function logs, stores, publishes and throws no password', async (advisor) => {
    const bucket = `hygiene-${advisor}`;
    await s3.createBucket(bucket);
    let sm: any;
    let GetSecretValueCommand: any;
    const l = lambda.coldStart({
      PGSTEWARD_CONFIG: JSON.stringify(config()), PGSTEWARD_REPORTS_BUCKET: bucket, PGSTEWARD_STATE_BUCKET: bucket,
      PGSTEWARD_TOPIC_ARN: TOPIC, PGSTEWARD_S3_ENDPOINT: s3.endpoint, POWERTOOLS_LOG_LEVEL: 'DEBUG',
    }, (req) => {
      const { SecretsManagerClient, GetSecretValueCommand: Get } = req('@aws-sdk/client-secrets-manager');
      GetSecretValueCommand = Get;
      sm = armSecrets(req('aws-sdk-client-mock').mockClient, SecretsManagerClient, Get);
      return [sm];
    });
    const { handler } = l.load(`functions/${advisor}`);

    const run = await capturing(() => handler({}, lambdaContext({ functionName: `pgsteward-${advisor}` })));

    expect(sm.commandCalls(GetSecretValueCommand, { SecretId: arn('rotated') })).toHaveLength(2);
    // The capture works: Powertools' JSON lines are there, including the re-read.
    expect(run.output).toMatch(/"level":"WARN".*reading the secret again/);
    expectNoCanary('function output', run.output);
    if (run.error) expectNoCanary('thrown', `${(run.error as Error).stack}\n${inspect(run.error, { depth: 10, showHidden: true })}`);
    expectNoCanary('return value', JSON.stringify(run.value ?? null));

    const messages = l.published().map((input: any) => JSON.stringify(input));
    expect(messages.length).toBeGreaterThan(0);
    messages.forEach((m: string, i: number) => expectNoCanary(`SNS message ${i}`, m));

    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys.length).toBeGreaterThan(config().targets.length);
    for (const key of keys) {
      const body = await (await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString('utf-8');
      expectNoCanary(`s3://${bucket}/${key}`, body);
    }
  });
});

describe('a deployment', () => {
  it('is refused when its config holds a password (infra/deploy-settings.ts), and the refusal does not repeat it', () => {
    const doc = { targets: [{ id: 'x', connection: { url: url(WRONG) } }, { id: 'y', connection: { host: 'db.example.com', database: 'app', user: 'u', password: OLD } }] };
    const err = (() => { try { deploySettings(doc); } catch (e) { return e as Error; } return undefined; })();
    expect(err?.message).toMatch(/must not hold a password/);
    expectNoCanary('deploy refusal', `${err?.message}\n${inspect(err, { depth: 10 })}`);
  });
});
