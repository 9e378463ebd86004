/**
 * The latest pointer and the per-target history page, on a directory and on S3 (s3rver), and
 * the conflict path of the history's conditional write with a mocked S3 (s3rver ignores If-Match).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ClientResolvedConfig, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-s3';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import type { Severity } from '../../lib/health/catalog';
import { Logger } from '../../lib/log';
import type { HealthReport, PartitionsReport, Report } from '../../lib/report/types';
import { deliver } from '../../lib/runner/deliver';
import { HISTORY_PER_ADVISOR, TargetHistory } from '../../lib/sinks/history';
import { LocalSink } from '../../lib/sinks/local';
import { S3Sink } from '../../lib/sinks/s3';
import type { ReportSink } from '../../lib/sinks/types';
import { LocalS3, startS3 } from '../support/s3';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const errors: string[] = [];
const logger: Logger = { ...quiet, error: (m) => void errors.push(m) };

let seq = 0;
function health(target: string, startedAt: string, worst: Severity = 'ok'): HealthReport {
  return {
    schemaVersion: 1, advisor: 'health', target, runId: `run${++seq}`, startedAt, durationMs: 12,
    findings: [{ check: 'connections', severity: worst, message: `<b>${worst}</b> & more` } as HealthReport['findings'][number]],
    summary: { worst, counts: { ok: worst === 'ok' ? 1 : 0, warning: worst === 'warning' ? 1 : 0, critical: worst === 'critical' ? 1 : 0, unknown: 0 } },
    statements: 3, notifications: [], errors: [],
  };
}

function partitions(target: string, startedAt: string): PartitionsReport {
  return {
    schemaVersion: 1, advisor: 'partitions', target, runId: `run${++seq}`, startedAt, durationMs: 40, dryRun: false,
    tables: [], actions: [], partitions: [], findings: [], summary: { tables: 1, failed: 0, skipped: 0, created: 2, retired: 0, findings: 0 },
    statements: 5, notifications: [], errors: [],
  };
}

const run = (sink: ReportSink, r: Report) => deliver(r, { sink, logger, now: () => new Date(r.startedAt) });
const at = (minute: number) => new Date(Date.UTC(2024, 5, 1, 10, minute)).toISOString();

function behavesAsAReportHistory(make: () => { sink: ReportSink; text: (key: string) => Promise<string | undefined> }) {
  it('writes HTML beside JSON and Markdown, and a latest pointer that reads back to the report', async () => {
    const { sink, text } = make();
    const report = health('app', at(0), 'critical');
    const result = await run(sink, report);
    expect(result.errors).toEqual([]);

    const latest = await sink.readLatest!('health', 'app');
    expect(latest).toMatchObject({ schemaVersion: 1, advisor: 'health', target: 'app', runId: report.runId, json: expect.stringMatching(/^advisor=health\/target=app\/dt=2024-06-01\/.+\.json$/) });
    expect(await text(latest!.html!)).toMatch(/<html/i);
    expect(await sink.readReport!(latest!.json)).toMatchObject({ runId: report.runId, summary: { worst: 'critical' } });
    expect(await sink.readReport!(report.location!.json!)).toMatchObject({ runId: report.runId });
    expect(await sink.readLatest!('advise', 'app')).toBeUndefined();
    expect(await sink.readReport!('advisor=health/target=app/dt=2024-06-01/missing.json')).toBeUndefined();
  });

  it('keeps the pointer on the newest report when an older run finishes last', async () => {
    const { sink } = make();
    const newer = health('late', at(10));
    await run(sink, newer);
    await run(sink, health('late', at(5)));
    expect((await sink.readLatest!('health', 'late'))?.runId).toBe(newer.runId);
  });

  it('lists every advisor on a target, newest first, in an escaped self-contained page', async () => {
    const { sink, text } = make();
    await run(sink, health('db1', at(1), 'warning'));
    const p = partitions('db1', at(2));
    await run(sink, p);
    const history = JSON.parse((await text('targets/db1/history.json'))!) as TargetHistory;
    expect(history.entries.map((e) => e.advisor)).toEqual(['partitions', 'health']);
    const page = (await text('targets/db1/index.html'))!;
    expect(page).not.toMatch(/<script|<link|src="http/i);
    expect(page).toContain('<table');
    expect(page).toContain('name="viewport"');
    expect(page).toContain('href="../../advisor=partitions/target=db1/dt=2024-06-01/');
    expect(page.indexOf('partitions')).toBeLessThan(page.lastIndexOf('health'));
    expect(page).toContain('WARNING');
    expect(await sink.listLatest!({ targets: ['db1'] })).toEqual([expect.objectContaining({ advisor: 'health' }), expect.objectContaining({ advisor: 'partitions', runId: p.runId })]);
  });

  it(`keeps at most ${HISTORY_PER_ADVISOR} reports per advisor, and says where the older ones are`, async () => {
    const { sink, text } = make();
    for (let i = 0; i < HISTORY_PER_ADVISOR + 3; i++) await run(sink, health('busy', at(i)));
    await run(sink, partitions('busy', at(0)));
    const history = JSON.parse((await text('targets/busy/history.json'))!) as TargetHistory;
    expect(history.entries.filter((e) => e.advisor === 'health')).toHaveLength(HISTORY_PER_ADVISOR);
    expect(history.entries.at(-1)?.advisor).toBe('partitions');
    expect(history.entries[0].startedAt).toBe(at(HISTORY_PER_ADVISOR + 2));
    expect(await text('targets/busy/index.html')).toContain('older ones are in the dated folders');
  }, 60_000);
}

describe('LocalSink history', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'pgsteward-sink-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  behavesAsAReportHistory(() => {
    const sink = new LocalSink(dir);
    return { sink, text: (key) => readFile(join(dir, key), 'utf8').catch(() => undefined) };
  });

  it('does not lose an advisor when two runs on the same target update the history at once', async () => {
    const sink = new LocalSink(dir);
    await Promise.all([run(sink, health('both', at(1))), run(sink, partitions('both', at(2))), run(sink, health('both', at(3)))]);
    const history = JSON.parse(await readFile(join(dir, 'targets/both/history.json'), 'utf8')) as TargetHistory;
    expect(history.entries.map((e) => e.advisor).sort()).toEqual(['health', 'health', 'partitions']);
  });
});

describe('S3Sink history (s3rver)', () => {
  let s3: LocalS3;
  let n = 0;
  beforeAll(async () => (s3 = await startS3()));
  afterAll(() => s3.stop());

  behavesAsAReportHistory(() => {
    const bucket = `hist${++n}`;
    const created = s3.createBucket(bucket);
    const sink = new S3Sink({ client: s3.client, bucket, prefix: 'pgsteward/', region: 'eu-west-1' });
    const ready = <T>(f: () => Promise<T>) => created.then(f);
    const wrapped: ReportSink = {
      locate: (r, o) => sink.locate(r, o),
      write: (r, x) => ready(() => sink.write(r, x)),
      updateLatest: (r, h) => sink.updateLatest(r, h),
      readLatest: (a, t) => ready(() => sink.readLatest(a, t)),
      readReport: (l) => ready(() => sink.readReport(l)),
      listLatest: (f) => ready(() => sink.listLatest(f)),
    };
    return { sink: wrapped, text: (key) => ready(() => sink.readText(key)) };
  });

  it('points alerts at the HTML object and the history page in the S3 console', () => {
    const sink = new S3Sink({ client: s3.client, bucket: 'b', prefix: 'pgsteward/', region: 'eu-west-1' });
    const loc = sink.locate(health('app', at(0)));
    expect(loc.html).toMatch(/^s3:\/\/b\/pgsteward\/advisor=health\/target=app\/dt=2024-06-01\/.+\.html$/);
    expect(loc.consoleUrl).toBe(`https://eu-west-1.console.aws.amazon.com/s3/object/b?region=eu-west-1&bucketType=general&prefix=${encodeURIComponent(loc.html!.slice('s3://b/'.length))}`);
    expect(loc.index).toBe('s3://b/pgsteward/targets/app/index.html');
    expect(loc.indexConsoleUrl).toContain(encodeURIComponent('pgsteward/targets/app/index.html'));
  });
});

describe('S3Sink history under conflict (mocked S3: s3rver ignores If-Match)', () => {
  let s3mock: AwsStub<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>;
  beforeAll(() => (s3mock = mockClient(S3Client)));
  afterAll(() => s3mock.restore());
  const body = (doc: unknown) => ({ transformToString: async () => JSON.stringify(doc) }) as never;
  const notFound = () => Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  const preconditionFailed = () => Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });

  it('re-reads the history after a 412 and keeps the other advisor\'s entry', async () => {
    // Prepare: the history is at v1 (empty) when read; a partitions run writes v2 before our PUT lands.
    const other = partitions('app', at(1));
    const theirs: TargetHistory = { schemaVersion: 1, target: 'app', updatedAt: at(1), entries: [{ advisor: 'partitions', runId: other.runId, startedAt: other.startedAt, durationMs: 40, severity: 'ok', verdict: '2 created', json: 'advisor=partitions/x.json', markdown: 'advisor=partitions/x.md' }] };
    s3mock.on(GetObjectCommand).rejects(notFound());
    s3mock.on(GetObjectCommand, { Key: 'p/targets/app/history.json' })
      .resolvesOnce({ Body: body({ schemaVersion: 1, target: 'app', updatedAt: at(0), entries: [] }), ETag: '"v1"' })
      .resolvesOnce({ Body: body(theirs), ETag: '"v2"' });
    s3mock.on(PutObjectCommand).resolves({ ETag: '"x"' });
    s3mock.on(PutObjectCommand, { Key: 'p/targets/app/history.json', IfMatch: '"v1"' }).rejects(preconditionFailed());
    const sink = new S3Sink({ client: new S3Client({ region: 'us-east-1' }), bucket: 'b', prefix: 'p/' });
    const mine = health('app', at(2), 'warning');

    // Act
    const result = await run(sink, mine);

    // Assess
    expect(result.errors).toEqual([]);
    const puts = s3mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    const historyPuts = puts.filter((p) => p.Key === 'p/targets/app/history.json');
    expect(historyPuts.map((p) => p.IfMatch)).toEqual(['"v1"', '"v2"']);
    expect((JSON.parse(String(historyPuts[1].Body)) as TargetHistory).entries.map((e) => e.runId)).toEqual([mine.runId, other.runId]);
    const page = String(puts.find((p) => p.Key === 'p/targets/app/index.html')!.Body);
    expect(page).toContain('advisor=partitions/x.json');
    expect(puts.find((p) => p.Key === 'p/advisor=health/target=app/latest.json')).toMatchObject({ IfNoneMatch: '*' });
  });

  it('records a report error, yet keeps the report and its alert path, when the history cannot be written', async () => {
    s3mock.reset();
    s3mock.on(GetObjectCommand).rejects(notFound());
    s3mock.on(PutObjectCommand).resolves({ ETag: '"x"' });
    s3mock.on(PutObjectCommand, { Key: 'p/targets/app/history.json' }).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const unpublished: string[] = [];
    const r = health('app', at(3), 'critical');
    r.notifications.push({ key: 'app|connections|', target: 'app', check: 'connections', severity: 'critical', state: 'firing', reason: 'new', subject: 's', message: 'm' });
    const sink = new S3Sink({ client: new S3Client({ region: 'us-east-1' }), bucket: 'b', prefix: 'p/' });

    const result = await deliver(r, { sink, logger, now: () => new Date(), onUnpublished: (ns) => unpublished.push(...ns.map((x) => x.key)) });

    expect(unpublished).toEqual(['app|connections|']);
    expect(result.errors).toEqual([expect.objectContaining({ stage: 'report', message: expect.stringMatching(/history page not updated.*Access Denied/) })]);
    expect(r.errors).toEqual(result.errors);
    const keys = s3mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
    expect(keys.filter((k) => /\.(json|md|html)$/.test(k!) && k!.includes('/dt='))).toHaveLength(3);
  });
});
