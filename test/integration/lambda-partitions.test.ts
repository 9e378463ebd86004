/**
 * The partitions Lambda handler from source, end to end: real PostgreSQL with range-partitioned
 * parents, reports and partitions state in a real (local) S3 (s3rver), SNS mocked at the SDK
 * client boundary. Like lambda-advise.test.ts, each test is a cold start. It connects as the
 * restricted role of sql/roles.sql, a member of the parents' owner role (`GRANT <owner_role> TO
 * pgsteward`, README "The database role"; test/support/owner.ts), never as a superuser.
 */
import type { Context } from 'aws-lambda';
import type { PartitionsSummary } from '../../functions/partitions';
import { useTestDatabase } from '../support/db';
import { useOwnerRole } from '../support/owner';
import { lambdaContext } from '../support/lambda-context';
import { ColdStart, useLambdaEnv } from '../support/lambda-env';
import { getText, listKeys, LocalS3, startS3 } from '../support/s3';

/* eslint-disable @typescript-eslint/no-explicit-any */

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:pgsteward-alerts';
const TARGET = 'by-url';
const REPORTS = `pgsteward/advisor=partitions/target=${TARGET}/dt=`;

type Handler = (event: unknown, context: Context) => Promise<PartitionsSummary>;

type Loaded = ColdStart & { handler: Handler };

describe('partitions Lambda handler (from source)', () => {
  const t = useTestDatabase();
  const owner = useOwnerRole(t);
  const lambda = useLambdaEnv();
  let s3: LocalS3;

  beforeAll(async () => {
    s3 = await startS3();
    await t.admin.query(`
      create table lp_events (id bigint, at timestamptz not null, payload text) partition by range (at);
      create table lp_later (id bigint, at timestamptz not null) partition by range (at);`);
    await owner.adopt();
  });

  afterAll(async () => {
    await s3?.stop();
  });

  const config = (extraTargets: object[] = []) => ({
    targets: [{
      id: TARGET,
      connection: { url: t.stewardUrl },
      partitions: [
        { table: 'lp_events', column: 'at', interval: '1 day', premake: 2, retention: '90 days' },
        { table: 'public.lp_later', column: 'at', interval: '1 month', premake: 1 },
      ],
    }, ...extraTargets],
  });

  let bucketCount = 0;
  async function freshBucket(): Promise<string> {
    const name = `lambda-partitions-${++bucketCount}`;
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
    return { ...l, handler: l.load('functions/partitions').handler };
  }

  const published = (l: Loaded) => l.published();

  const keys = (bucket: string, prefix: string) => listKeys(s3, bucket, prefix);
  const getJson = async (bucket: string, key: string): Promise<any> => JSON.parse(await getText(s3, bucket, key));
  async function children(table: string): Promise<string[]> {
    const { rows } = await t.admin.query(`select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = $1::regclass order by 1`, [table]);
    return rows.map((r) => r.relname);
  }

  it('{dryRun: true} changes nothing, writes no state, and returns the planned actions with their SQL', async () => {
    const bucket = await freshBucket();
    const l = coldStart(bucket);

    const summary = await l.handler({ dryRun: true, tables: ['lp_events'] }, lambdaContext());

    expect(summary).toMatchObject({ targets: 1, dryRun: true, skipped: [] });
    const [result] = summary.results;
    expect(result).toMatchObject({ target: TARGET, tables: 1, failed: 0, created: 3, retired: 0, errors: [], notifications: 0 });
    expect(result.planned!.map((a) => `${a.action}:${a.status}`)).toEqual(Array(3).fill(['create:planned', 'attach:planned']).flat());
    expect(result.planned![1].sql).toMatch(/^ALTER TABLE "public"\."lp_events" ATTACH PARTITION "public"\."lp_events_p\d{8}" FOR VALUES FROM/);
    expect(await children('lp_events')).toEqual([]);
    expect(await keys(bucket, 'pgsteward-state/')).toEqual([]);
    expect(published(l)).toHaveLength(0);
  });

  it('a scheduled invoke creates the partitions, writes the report and the state; a second does nothing', async () => {
    const bucket = await freshBucket();
    const l = coldStart(bucket);

    const summary = await l.handler({}, lambdaContext({ functionName: 'pgsteward-partitions-fn' }));

    expect(summary).toMatchObject({ targets: 1, dryRun: false, skipped: [] });
    const [result] = summary.results;
    // Today and two days ahead; this month and the next.
    expect(result).toMatchObject({ target: TARGET, tables: 2, failed: 0, created: 5, retired: 0, errors: [] });
    expect(result.planned).toBeUndefined();
    expect(await children('lp_events')).toHaveLength(3);
    expect(await children('lp_later')).toHaveLength(2);
    // Made by pgsteward through the owner role: the new partitions belong to the parents' owner.
    const owners = await t.admin.query(`select distinct pg_get_userbyid(c.relowner) as o from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent in ('lp_events'::regclass, 'lp_later'::regclass)`);
    expect(owners.rows).toEqual([{ o: owner.name }]);
    await t.admin.query(`insert into lp_events (id, at) values (1, now())`);
    const json = (await keys(bucket, REPORTS)).filter((k) => k.endsWith('.json'));
    expect(json).toHaveLength(1);
    expect(result.report).toBe(`s3://${bucket}/${json[0]}`);
    const report = await getJson(bucket, json[0]);
    expect(report).toMatchObject({ advisor: 'partitions', target: TARGET, dryRun: false, errors: [], summary: { tables: 2, created: 5, failed: 0 } });
    expect(await keys(bucket, 'pgsteward-state/')).toEqual([`pgsteward-state/partitions/${TARGET}.json`]);
    expect(published(l)).toHaveLength(0);

    l.sns.resetHistory();
    const again = await l.handler({}, lambdaContext());
    expect(again.results[0]).toMatchObject({ tables: 2, failed: 0, created: 0, retired: 0, errors: [], notifications: 0 });
    expect(await children('lp_events')).toHaveLength(3);
    expect((await keys(bucket, REPORTS)).filter((k) => k.endsWith('.json'))).toHaveLength(2);
    // Report keys sort by time and a random run id, not by run: read the second run's own report.
    const second = await getJson(bucket, again.results[0].report!.replace(`s3://${bucket}/`, ''));
    expect(second.actions).toEqual([]);
    expect(published(l)).toHaveLength(0);
  });

  it('targets without policies are skipped on a schedule; a failing target does not stop the others, and the invocation fails after all ran', async () => {
    const bucket = await freshBucket();
    const l = coldStart(bucket, config([
      { id: 'no-policies', connection: { url: t.stewardUrl } },
      { id: 'unreachable', connection: { url: 'postgres://x:y@127.0.0.1:1/db', connectTimeout: '2s' }, partitions: [{ table: 'x', column: 'at', interval: '1 day' }] },
    ]));

    await expect(l.handler({}, lambdaContext())).rejects.toThrow(/^1 of 2 target\(s\) had a table that could not be maintained/);

    expect((await keys(bucket, REPORTS)).filter((k) => k.endsWith('.json'))).toHaveLength(1);
    const failed = (await keys(bucket, 'pgsteward/advisor=partitions/target=unreachable/')).filter((k) => k.endsWith('.json'));
    expect((await getJson(bucket, failed[0])).errors).toContainEqual(expect.objectContaining({ stage: 'connect' }));
    expect(await keys(bucket, 'pgsteward/advisor=partitions/target=no-policies/')).toEqual([]);
    for (const p of published(l)) expect(p.Subject).not.toMatch(/could not run/);
  });

  it.each([
    [{ dryRun: 'yes' }, /on-demand payload is invalid:\n {2}- dryRun: .*expected boolean/],
    [{ tables: 'lp_events' }, /on-demand payload is invalid:\n {2}- tables: .*expected array/],
    [{ tables: [] }, /on-demand payload is invalid:\n {2}- tables: /],
    [{ tables: ['"unterminated'] }, /on-demand payload is invalid:\n {2}- tables\[0\]: unterminated quoted identifier/],
    [{ table: ['lp_events'] }, /on-demand payload is invalid:\n {2}- table: unknown field/],
    [{ tables: ['nope'] }, /tables: no "partitions" policy for table "nope"/],
    [{ targets: ['nope'] }, /targets: no target with id "nope"/],
  ])('a malformed payload %j rejects naming the field, with a critical "could not run" alert and nothing run', async (payload, message) => {
    const bucket = await freshBucket();
    const l = coldStart(bucket);

    await expect(l.handler(payload, lambdaContext({ functionName: 'pgsteward-partitions-fn' }))).rejects.toThrow(message);

    const pages = published(l);
    expect(pages).toHaveLength(1);
    expect(pages[0].Subject).toMatch(/^\[CRITICAL\] pgsteward partitions could not run/);
    expect(pages[0].MessageAttributes).toMatchObject({ severity: { StringValue: 'critical' }, advisor: { StringValue: 'partitions' } });
    expect(await keys(bucket, '')).toEqual([]);
  });
});
