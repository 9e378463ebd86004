/**
 * The advise Lambda handler from source, end to end: real PostgreSQL with a workload in
 * pg_stat_statements, reports and advise state in a real (local) S3 (s3rver), SNS mocked at the
 * SDK client boundary. Like lambda-health.test.ts, each test is a cold start: the environment is
 * set, the handler loaded in a fresh module registry, and that registry's SNS client mocked.
 */
import type { Context } from 'aws-lambda';
import type { AdviseSummary } from '../../functions/advise';
import { resetWriteCounters, useTestDatabase } from '../support/db';
import { lambdaContext } from '../support/lambda-context';
import { ColdStart, useLambdaEnv } from '../support/lambda-env';
import { getText, listKeys, LocalS3, startS3 } from '../support/s3';

/* eslint-disable @typescript-eslint/no-explicit-any */

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:pgsteward-alerts';
const TARGET = 'by-url';
const REPORTS = `pgsteward/advisor=advise/target=${TARGET}/dt=`;

type Handler = (event: unknown, context: Context) => Promise<AdviseSummary>;

type Loaded = ColdStart & { handler: Handler };

describe('advise Lambda handler (from source)', () => {
  const t = useTestDatabase();
  const lambda = useLambdaEnv();
  let s3: LocalS3;

  beforeAll(async () => {
    s3 = await startS3();
    // One index worth creating: equality on a selective, unindexed column, called a few times.
    await t.admin.query('create table la_orders (id bigserial primary key, customer_id int not null, note text not null)');
    await t.admin.query(`insert into la_orders (customer_id, note) select g % 25000, 'note ' || g from generate_series(1, 50000) g`);
    await t.admin.query('vacuum analyze la_orders');
    t.applyRoleScript();
    await resetWriteCounters(t.admin, 'la_orders', 50_000);
    const app = await t.session();
    for (const c of [3, 5, 8]) await app.query('select * from la_orders where customer_id = $1', [c]);
  });

  afterAll(async () => {
    await s3?.stop();
  });

  const config = (extraTargets: object[] = []) => ({
    // Test-sized thresholds: any mean time counts, and a budget above this tiny database's tenth.
    defaults: { advise: { minMeanTimeMs: 0, storageBudget: '80MB' } },
    targets: [{ id: TARGET, connection: { url: t.stewardUrl } }, ...extraTargets],
  });

  let bucketCount = 0;
  async function freshBucket(): Promise<string> {
    const name = `lambda-advise-${++bucketCount}`;
    await s3.createBucket(name);
    return name;
  }

  function coldStart(bucket: string, cfg: object = config()): Loaded {
    const l = lambda.coldStart({
      PGSTEWARD_CONFIG: JSON.stringify(cfg),
      PGSTEWARD_REPORTS_BUCKET: bucket,
      PGSTEWARD_STATE_BUCKET: bucket,
      PGSTEWARD_TOPIC_ARN: TOPIC,
      PGSTEWARD_S3_ENDPOINT: s3.endpoint,
    });
    return { ...l, handler: l.load('functions/advise').handler };
  }

  const published = (l: Loaded) => l.published();

  const keys = (bucket: string, prefix: string) => listKeys(s3, bucket, prefix);
  const getJson = async (bucket: string, key: string): Promise<any> => JSON.parse(await getText(s3, bucket, key));

  it('a scheduled invoke writes the report and the advise state, and publishes one message for the new recommendation; a second publishes nothing', async () => {
    const bucket = await freshBucket();
    const l = coldStart(bucket);

    const summary = await l.handler({}, lambdaContext({ functionName: 'pgsteward-advise-fn' }));

    expect(summary.targets).toBe(1);
    const [result] = summary.results;
    expect(result).toMatchObject({ target: TARGET, errors: [], notifications: 1 });
    expect(result.recommendations).toBeGreaterThanOrEqual(1);
    const json = (await keys(bucket, REPORTS)).filter((k) => k.endsWith('.json'));
    expect(json).toHaveLength(1);
    expect(result.report).toBe(`s3://${bucket}/${json[0]}`);
    const report = await getJson(bucket, json[0]);
    expect(report).toMatchObject({ advisor: 'advise', target: TARGET, errors: [], summary: { budgetBytes: 80 * 1024 * 1024 } });
    const rec = report.recommendations.find((r: any) => r.table === 'public.la_orders');
    expect(rec).toMatchObject({ columns: ['customer_id'] });
    expect(rec.statement).toMatch(/^CREATE INDEX CONCURRENTLY IF NOT EXISTS "la_orders_customer_id[a-z0-9_]*" ON "public"\."la_orders"/);
    expect(await keys(bucket, 'pgsteward-state/')).toEqual([`pgsteward-state/advise/${TARGET}.json`]);

    const pages = published(l);
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ TopicArn: TOPIC, MessageStructure: 'json' });
    expect(pages[0].MessageAttributes).toMatchObject({ advisor: { StringValue: 'advise' }, target: { StringValue: TARGET } });
    expect(JSON.parse(pages[0].Message).email).toContain('la_orders');

    // Nothing changed: no new alert transition (it repeats weekly), yet the nightly digest
    // (lib/digest, which replaces the per-recommendation page) still lists the open index to create.
    l.sns.resetHistory();
    const again = await l.handler({}, lambdaContext());
    expect(again.results[0]).toMatchObject({ errors: [], notifications: 0 });
    expect(again.results[0].recommendations).toBeGreaterThanOrEqual(1);
    expect(published(l)).toHaveLength(1);
    expect(published(l)[0].MessageAttributes.kind).toEqual({ DataType: 'String', StringValue: 'digest' });
    expect((await keys(bucket, REPORTS)).filter((k) => k.endsWith('.json'))).toHaveLength(2);
  });

  it('an on-demand payload picks the targets and the storage budget', async () => {
    const bucket = await freshBucket();
    const l = coldStart(bucket, config([{ id: 'other', connection: { url: t.stewardUrl } }]));

    const summary = await l.handler({ targets: [TARGET], storageBudget: '1KB' }, lambdaContext());

    expect(summary.results.map((r) => r.target)).toEqual([TARGET]);
    // No index fits in a kilobyte.
    expect(summary.results[0]).toMatchObject({ recommendations: 0, errors: [] });
    const json = (await keys(bucket, REPORTS)).filter((k) => k.endsWith('.json'));
    expect((await getJson(bucket, json[0])).summary.budgetBytes).toBe(1024);
    expect(await keys(bucket, 'pgsteward/advisor=advise/target=other/')).toEqual([]);
  });

  it('an unreachable target does not stop the others, and the invocation fails once all have run', async () => {
    const bucket = await freshBucket();
    const l = coldStart(bucket, config([{ id: 'unreachable', connection: { url: 'postgres://x:y@127.0.0.1:1/db', connectTimeout: '2s' } }]));

    await expect(l.handler({}, lambdaContext())).rejects.toThrow(/^1 of 2 target\(s\) could not be advised or could not deliver/);

    expect((await keys(bucket, REPORTS)).filter((k) => k.endsWith('.json'))).toHaveLength(1);
    const failed = (await keys(bucket, 'pgsteward/advisor=advise/target=unreachable/')).filter((k) => k.endsWith('.json'));
    expect((await getJson(bucket, failed[0])).errors).toContainEqual(expect.objectContaining({ stage: 'connect' }));
    // Each target pages about its own outcome; nothing says that nothing was checked.
    for (const p of published(l)) expect(p.Subject).not.toMatch(/could not run/);
  });

  it.each([
    [{ storageBudget: 'lots' }, /on-demand payload is invalid:\n {2}- storageBudget: expected a size such as "80MB"/],
    [{ dryRun: true }, /on-demand payload is invalid:\n {2}- dryRun: not needed: advise never changes a database/],
    [{ whatIf: 'trial' }, /on-demand payload is invalid:\n {2}- whatIf: unknown field/],
    [{ targets: 'x' }, /on-demand payload is invalid:\n {2}- targets: .*expected array/],
    [{ targets: ['nope'] }, /targets: no target with id "nope"/],
  ])('a malformed payload %j rejects naming the field, with a critical "could not run" alert and nothing run', async (payload, message) => {
    const bucket = await freshBucket();
    const l = coldStart(bucket);

    await expect(l.handler(payload, lambdaContext({ functionName: 'pgsteward-advise-fn' }))).rejects.toThrow(message);

    const pages = published(l);
    expect(pages).toHaveLength(1);
    expect(pages[0].Subject).toMatch(/^\[CRITICAL\] pgsteward advise could not run/);
    expect(pages[0].MessageAttributes).toMatchObject({ severity: { StringValue: 'critical' }, advisor: { StringValue: 'advise' } });
    expect(JSON.parse(pages[0].Message).email).toMatch(message);
    expect(await keys(bucket, '')).toEqual([]);
  });
});
