/**
 * The health Lambda handler from source, end to end: real PostgreSQL, reports and alert state in
 * a real (local) S3 (s3rver), SNS and Secrets Manager mocked at the SDK client boundary.
 *
 * functions/constants.ts reads the environment once, and functions/middleware/runtime.ts builds
 * its clients once per container; so every test sets process.env, loads the handler in a fresh
 * module registry (a cold start) and mocks the SDK classes of THAT registry (a mock of this
 * file's own @aws-sdk classes would not intercept the handler's).
 */
import type { AwsStub } from 'aws-sdk-client-mock';
import type { Context } from 'aws-lambda';
import type { HealthSummary } from '../../functions/health';
import { freePort, STEWARD_PASSWORD } from '../support/cluster';
import { useTestDatabase } from '../support/db';
import { lambdaContext } from '../support/lambda-context';
import { ColdStart, useLambdaEnv } from '../support/lambda-env';
import { getText as s3Text, listKeys, LocalS3, startS3 } from '../support/s3';

/* eslint-disable @typescript-eslint/no-explicit-any */

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:pgsteward-alerts';
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:pgsteward/test-db-AbCdEf';
const REPORTS = 'pgsteward/advisor=health';
const TARGETS = ['by-url', 'by-secret'] as const;

type Handler = (event: unknown, context: Context) => Promise<HealthSummary>;

type Loaded = ColdStart & {
  handler: Handler;
  /** The Secrets Manager stub on the handler's own SDK classes. */
  secrets: AwsStub<any, any, any>;
};

interface Published {
  TopicArn: string;
  Subject: string;
  Message: string;
  MessageStructure?: string;
  MessageAttributes: Record<string, { DataType: string; StringValue: string }>;
}

describe('health Lambda handler (from source)', () => {
  const t = useTestDatabase();
  const lambda = useLambdaEnv();
  let s3: LocalS3;
  const cleanups: string[] = [];

  beforeAll(async () => {
    s3 = await startS3();
  });

  afterEach(async () => {
    // Each test's database problem is removed, so the next test starts from a healthy database.
    while (cleanups.length) await t.admin.query(cleanups.pop()!);
  });

  afterAll(async () => {
    await s3?.stop();
  });

  // ---- helpers -------------------------------------------------------------------------------

  const baseConfig = (extraTargets: object[] = []) => ({
    // Replication slots are server-wide: ignore those other test files create.
    defaults: { health: { ignore: { replication_slots: ['pgsteward_test_*'] } } },
    targets: [
      { id: 'by-url', connection: { url: t.stewardUrl } },
      { id: 'by-secret', connection: { secretArn: SECRET } },
      ...extraTargets,
    ],
  });

  let bucketCount = 0;
  /** A fresh bucket per test: its own reports and its own alert state. */
  async function freshBucket(): Promise<string> {
    const name = `lambda-health-${++bucketCount}`;
    await s3.createBucket(name);
    return name;
  }

  /** A cold start (test/support/lambda-env.ts), with the by-secret target's secret mocked too. */
  function coldStart(env: Record<string, string>): Loaded {
    let secrets!: AwsStub<any, any, any>;
    const l = lambda.coldStart(env, (req) => {
      const { SecretsManagerClient, GetSecretValueCommand } = req('@aws-sdk/client-secrets-manager');
      const { mockClient } = req('aws-sdk-client-mock');
      secrets = mockClient(SecretsManagerClient);
      // The RDS secret shape, for the same test database the URL target checks.
      secrets.on(GetSecretValueCommand, { SecretId: SECRET }).resolves({
        SecretString: JSON.stringify({ username: 'pgsteward', password: STEWARD_PASSWORD, host: '127.0.0.1', port: t.cluster.port, dbname: t.name, engine: 'postgres' }),
      });
      return [secrets];
    });
    return { ...l, secrets, handler: l.load('functions/health').handler };
  }

  function envFor(bucket: string, config: object = baseConfig()): Record<string, string> {
    return {
      PGSTEWARD_CONFIG: JSON.stringify(config),
      PGSTEWARD_REPORTS_BUCKET: bucket,
      PGSTEWARD_STATE_BUCKET: bucket,
      PGSTEWARD_TOPIC_ARN: TOPIC,
      PGSTEWARD_S3_ENDPOINT: s3.endpoint,
    };
  }

  /** A sequence at 97% of its range (critical from 95%), readable by the pgsteward role. */
  async function nearlyExhaustedSequence(name: string): Promise<void> {
    await t.admin.query(`create sequence ${name} as integer`);
    await t.admin.query(`select setval('${name}', 2083059138)`);
    cleanups.push(`drop sequence if exists ${name}`);
    t.applyRoleScript();
  }

  const keys = (bucket: string, prefix: string) => listKeys(s3, bucket, prefix);
  const getText = (bucket: string, key: string) => s3Text(s3, bucket, key);

  /** The one JSON report of a target, with its key; fails unless there is exactly one. */
  async function onlyReport(bucket: string, target: string): Promise<{ key: string; report: any }> {
    const json = (await keys(bucket, `${REPORTS}/target=${target}/dt=`)).filter((k) => k.endsWith('.json'));
    expect(json).toHaveLength(1);
    return { key: json[0], report: JSON.parse(await getText(bucket, json[0])) };
  }

  const published = (l: Loaded): Published[] => l.published();
  const publishedFor = (l: Loaded, target: string) => published(l).filter((p) => p.MessageAttributes?.target?.StringValue === target);
  const parsed = (p: Published) => {
    const body = JSON.parse(p.Message);
    return { chat: JSON.parse(body.default), email: body.email as string, keys: Object.keys(body) };
  };

  // ---- a. scheduled run -------------------------------------------------------------------------

  it('a scheduled invoke writes a JSON and a Markdown report per target and the alert state to S3, returns a summary, and pages once per target with an Amazon Q custom notification', async () => {
    await nearlyExhaustedSequence('lh_a_seq');
    const bucket = await freshBucket();
    const l = coldStart(envFor(bucket));

    const summary = await l.handler({}, lambdaContext());

    expect(summary).toMatchObject({ targets: 2, worst: 'critical' });
    expect(summary.results.map((r) => r.target).sort()).toEqual([...TARGETS].sort());
    for (const target of TARGETS) {
      const r = summary.results.find((x) => x.target === target)!;
      expect(r).toMatchObject({ worst: 'critical', notifications: 1, errors: [] });

      const reportKeys = await keys(bucket, `${REPORTS}/target=${target}/dt=`);
      expect(reportKeys.filter((k) => k.endsWith('.json'))).toHaveLength(1);
      expect(reportKeys.filter((k) => k.endsWith('.md'))).toHaveLength(1);
      const { key, report } = await onlyReport(bucket, target);
      expect(r.report).toBe(`s3://${bucket}/${key}`);
      expect(report).toMatchObject({ schemaVersion: 1, advisor: 'health', target, summary: { worst: 'critical' }, errors: [] });
      expect(report.findings).toContainEqual(expect.objectContaining({ check: 'sequences', severity: 'critical', object: 'public.lh_a_seq' }));
      expect(await getText(bucket, key.replace(/\.json$/, '.md'))).toContain('lh_a_seq');

      const state = JSON.parse(await getText(bucket, `pgsteward-state/health/${target}.json`));
      expect(state.alerts[`${target}|sequences|public.lh_a_seq`]).toMatchObject({ severity: 'critical', lastNotifiedSeverity: 'critical' });

      // Exactly one page per target, carrying every transition of the run.
      const pages = publishedFor(l, target);
      expect(pages).toHaveLength(1);
      const page = pages[0];
      expect(page.TopicArn).toBe(TOPIC);
      expect(page.MessageStructure).toBe('json');
      expect(page.Subject.length).toBeLessThan(100);
      expect(page.Subject).not.toMatch(/[\r\n\p{Cc}]/u);
      expect(page.Subject).toContain('[CRITICAL]');
      expect(page.Subject).toContain(target);
      expect(page.MessageAttributes).toEqual({
        severity: { DataType: 'String', StringValue: 'critical' },
        target: { DataType: 'String', StringValue: target },
        advisor: { DataType: 'String', StringValue: 'health' },
      });
      const { chat, email } = parsed(page);
      expect(chat).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' } });
      expect(typeof chat.content.title).toBe('string');
      expect(chat.content.description).toContain('lh_a_seq');
      expect(chat.metadata.relatedResources).toContain(`s3://${bucket}/${key}`);
      expect(typeof email).toBe('string');
      expect(email).toContain('public.lh_a_seq');
      expect(email).toContain(`s3://${bucket}/${key.replace(/\.json$/, '.html')}`);
    }
    expect(published(l)).toHaveLength(2);
    // Both targets live on one server: its instance-level checks keep one state, keyed host:port.
    expect(await keys(bucket, 'pgsteward-state/')).toEqual(['pgsteward-state/health/by-secret.json', 'pgsteward-state/health/by-url.json', `pgsteward-state/health/server=127.0.0.1:${t.cluster.port}.json`]);
    expect(l.secrets.calls()).toHaveLength(1);
    expect(l.secrets.call(0).args[0].input).toEqual({ SecretId: SECRET });
  });

  // ---- b. unchanged, then fixed ------------------------------------------------------------------

  it('a second invoke with nothing changed publishes nothing; fixing the problem publishes one resolved notification per target', async () => {
    await nearlyExhaustedSequence('lh_b_seq');
    const bucket = await freshBucket();
    const l = coldStart(envFor(bucket));

    await l.handler({}, lambdaContext());
    expect(published(l)).toHaveLength(2);

    l.sns.resetHistory();
    const again = await l.handler({}, lambdaContext());
    expect(again.worst).toBe('critical');
    expect(again.results.every((r) => r.notifications === 0)).toBe(true);
    expect(published(l)).toHaveLength(0);

    // The fix a person would make: widen the sequence; it is now at a negligible fraction of bigint.
    await t.admin.query('alter sequence lh_b_seq as bigint');
    const fixed = await l.handler({}, lambdaContext());
    expect(fixed.worst).toBe('ok');
    for (const target of TARGETS) {
      const pages = publishedFor(l, target);
      expect(pages).toHaveLength(1);
      expect(pages[0].Subject).toMatch(/^\[RESOLVED\] /);
      expect(pages[0].MessageAttributes.severity.StringValue).toBe('ok');
      const { chat, email } = parsed(pages[0]);
      expect(chat.content.description).toContain('RESOLVED');
      expect(email).toMatch(/RESOLVED - sequences\npublic\.lh_b_seq/);
      const state = JSON.parse(await getText(bucket, `pgsteward-state/health/${target}.json`));
      expect(state.alerts[`${target}|sequences|public.lh_b_seq`]).toBeUndefined();
    }
    expect(published(l)).toHaveLength(2);

    l.sns.resetHistory();
    await l.handler({}, lambdaContext());
    expect(published(l)).toHaveLength(0);
  });

  // ---- c. one target unreachable -----------------------------------------------------------------

  it('an unreachable target does not stop the others: every target has a report, and the unreachable one has a critical connection finding whose alert is published', async () => {
    const bucket = await freshBucket();
    const l = coldStart(envFor(bucket, baseConfig([{ id: 'unreachable', connection: { url: 'postgres://x:y@127.0.0.1:1/db' } }])));

    const summary = await l.handler({}, lambdaContext());

    expect(summary.targets).toBe(3);
    expect(summary.worst).toBe('critical');
    for (const target of TARGETS) {
      expect(summary.results.find((r) => r.target === target)).toMatchObject({ worst: 'ok', errors: [] });
      const { report } = await onlyReport(bucket, target);
      expect(report.summary.worst).toBe('ok');
      expect(report.findings.length).toBeGreaterThan(1);
      expect(publishedFor(l, target)).toHaveLength(0);
    }
    const { report } = await onlyReport(bucket, 'unreachable');
    expect(report.findings).toEqual([expect.objectContaining({ check: 'connection', severity: 'critical', message: expect.stringMatching(/^Cannot connect: /) })]);
    expect(report.errors).toContainEqual(expect.objectContaining({ stage: 'connect' }));
    // The password in the URL never reaches the report.
    expect(JSON.stringify(report)).not.toContain('x:y@');

    const pages = publishedFor(l, 'unreachable');
    expect(pages).toHaveLength(1);
    expect(pages[0].MessageAttributes.severity.StringValue).toBe('critical');
    expect(parsed(pages[0]).email).toMatch(/CRITICAL - connection/);
    expect(published(l)).toHaveLength(1);
  });

  // ---- d. S3 unavailable -------------------------------------------------------------------------

  it('when S3 is unavailable the alert is still published and says the report is missing, and the invocation fails after every target ran', async () => {
    await nearlyExhaustedSequence('lh_d_seq');
    const closed = `http://127.0.0.1:${await freePort()}`;
    const l = coldStart({ ...envFor('lambda-health-nowhere'), PGSTEWARD_S3_ENDPOINT: closed });

    await expect(l.handler({}, lambdaContext())).rejects.toThrow(/2 of 2 target\(s\) could not deliver their report or alerts/);

    for (const target of TARGETS) {
      const pages = publishedFor(l, target);
      expect(pages).toHaveLength(1);
      expect(pages[0].MessageAttributes.severity.StringValue).toBe('critical');
      const { chat, email } = parsed(pages[0]);
      expect(email).toContain('public.lh_d_seq');
      expect(email).toContain('The full report could not be written: report not written to s3://lambda-health-nowhere/');
      expect(chat.content.nextSteps.join('\n')).toContain('The full report could not be written');
    }
  });

  // ---- e. SNS rejects ----------------------------------------------------------------------------

  it('when SNS rejects, the report is kept in S3 with the alert failure among its errors, the invocation fails, and the next invoke publishes the same transition again', async () => {
    await nearlyExhaustedSequence('lh_e_seq');
    const bucket = await freshBucket();
    const l = coldStart(envFor(bucket));
    l.sns.reset();
    l.sns.on(l.PublishCommand).rejects(new Error('SNS is throttling (test)'));

    await expect(l.handler({}, lambdaContext())).rejects.toThrow(/could not deliver their report or alerts/);

    for (const target of TARGETS) {
      const { report } = await onlyReport(bucket, target);
      expect(report.findings).toContainEqual(expect.objectContaining({ check: 'sequences', object: 'public.lh_e_seq', severity: 'critical' }));
      expect(report.errors).toContainEqual({ stage: 'alert', message: expect.stringContaining('SNS is throttling (test)') });
      // The claim was given back: the state does not say this alert was notified.
      const state = JSON.parse(await getText(bucket, `pgsteward-state/health/${target}.json`));
      expect(state.alerts[`${target}|sequences|public.lh_e_seq`]).toBeUndefined();
    }

    // SNS is back: the transition that was lost is sent now, once per target.
    l.sns.reset();
    l.sns.on(l.PublishCommand).resolves({ MessageId: 'test-message' });
    const summary = await l.handler({}, lambdaContext());
    expect(summary.worst).toBe('critical');
    for (const target of TARGETS) {
      const pages = publishedFor(l, target);
      expect(pages).toHaveLength(1);
      expect(pages[0].Subject).toContain('[CRITICAL]');
      expect(parsed(pages[0]).email).toMatch(/CRITICAL - sequences\npublic\.lh_e_seq/);
      const state = JSON.parse(await getText(bucket, `pgsteward-state/health/${target}.json`));
      expect(state.alerts[`${target}|sequences|public.lh_e_seq`]).toMatchObject({ lastNotifiedSeverity: 'critical' });
    }
    expect(published(l)).toHaveLength(2);
  });

  // ---- f. malformed payload ----------------------------------------------------------------------

  it.each([
    [{ targets: 'x' }, /on-demand payload is invalid:\n {2}- targets: .*expected array/],
    [{ foo: 1 }, /on-demand payload is invalid:\n {2}- foo: unknown field/],
    [{ checks: ['sequencez'] }, /on-demand payload is invalid:\n {2}- checks\[0\]: /],
  ])('a malformed payload %j rejects naming the field, and a critical "could not run" alert is published', async (payload, message) => {
    const bucket = await freshBucket();
    const l = coldStart(envFor(bucket));

    await expect(l.handler(payload, lambdaContext({ functionName: 'pgsteward-health-fn' }))).rejects.toThrow(message);

    const pages = published(l);
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ TopicArn: TOPIC, Subject: expect.stringMatching(/^\[CRITICAL\] pgsteward health could not run/) });
    expect(pages[0].MessageAttributes).toMatchObject({ severity: { StringValue: 'critical' }, advisor: { StringValue: 'health' } });
    const email = JSON.parse(pages[0].Message).email;
    expect(email).toMatch(message);
    expect(email).toContain('pgsteward-health-fn');
    // Nothing ran.
    expect(await keys(bucket, '')).toEqual([]);
  });

  // ---- g. malformed config -----------------------------------------------------------------------

  it('a malformed config rejects naming the field path, and is alerted', async () => {
    const config = baseConfig() as any;
    config.defaults.health.thresholds = { sequences: { warnign: 50 } };
    const bucket = await freshBucket();
    const l = coldStart(envFor(bucket, config));

    const err = await l.handler({}, lambdaContext()).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/^PGSTEWARD_CONFIG is invalid:/);
    expect(err?.message).toContain('defaults.health.thresholds.sequences.warnign: unknown field');

    const pages = published(l);
    expect(pages).toHaveLength(1);
    expect(pages[0].Subject).toMatch(/^\[CRITICAL\] pgsteward health could not run/);
    expect(pages[0].MessageAttributes.severity.StringValue).toBe('critical');
    expect(JSON.parse(pages[0].Message).email).toContain('defaults.health.thresholds.sequences.warnign: unknown field');
    expect(await keys(bucket, '')).toEqual([]);
  });

  // ---- the handler's own failure alert (functions/middleware/fail-loudly.ts) ---------------------

  it('the "could not run" alert reaches chat too: it is an Amazon Q custom notification with an email body, like every other alert', async () => {
    const bucket = await freshBucket();
    const l = coldStart(envFor(bucket));

    await expect(l.handler({ foo: 1 }, lambdaContext())).rejects.toThrow(/foo: unknown field/);

    const pages = published(l);
    expect(pages).toHaveLength(1);
    // Amazon Q Developer in chat applications drops plain-text SNS messages (FIELD-NOTES), so
    // the one alert saying that nothing was checked must not be plain text.
    expect(pages[0].MessageStructure).toBe('json');
    const { chat, email } = parsed(pages[0]);
    expect(chat).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' } });
    expect(chat.content.description).toContain('foo: unknown field');
    expect(email).toContain('foo: unknown field');
  });

  it('when every target was checked but a delivery failed, the failure alert does not claim that nothing was checked', async () => {
    await nearlyExhaustedSequence('lh_h_seq');
    const closed = `http://127.0.0.1:${await freePort()}`;
    const l = coldStart({ ...envFor('lambda-health-nowhere'), PGSTEWARD_S3_ENDPOINT: closed });

    await expect(l.handler({}, lambdaContext())).rejects.toThrow(/could not deliver/);

    // Both targets were checked and paged (test d); whatever else is published must not say otherwise.
    expect(publishedFor(l, 'by-url')).toHaveLength(1);
    expect(publishedFor(l, 'by-secret')).toHaveLength(1);
    for (const p of publishedFor(l, '*')) {
      expect(p.Subject).not.toMatch(/could not run/);
      expect(p.Message).not.toMatch(/nothing was checked/);
    }
  });
});
