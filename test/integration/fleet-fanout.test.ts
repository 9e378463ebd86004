/**
 * The fleet fan-out end to end, minus Step Functions itself (asserted in test/infra): the real
 * advisor handlers invoked once per target as the Map state does (test/support/fan-out.ts), then
 * the real summary handler. Four targets: two healthy databases, one whose port refuses
 * connections, one whose server accepts the TCP connection and never answers (the task times out).
 * Real PostgreSQL and s3rver; SNS mocked at the SDK boundary.
 */
import { createServer, Server, Socket } from 'node:net';
import type { Context } from 'aws-lambda';
import { freePort } from '../support/cluster';
import { useTestDatabase } from '../support/db';
import { fanOut, settleInvocations } from '../support/fan-out';
import { lambdaContext } from '../support/lambda-context';
import { useLambdaEnv } from '../support/lambda-env';
import { LocalS3, startS3 } from '../support/s3';

/* eslint-disable @typescript-eslint/no-explicit-any */

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:pgsteward-alerts';
type Handler = (event: unknown, context: Context) => Promise<any>;

describe('fleet fan-out: one invocation per target, then the summary', () => {
  const t = useTestDatabase();
  let s3: LocalS3;
  let silent: Server;
  const sockets: Socket[] = [];
  let silentPort = 0;
  let refusedPort = 0;
  const lambda = useLambdaEnv();

  beforeAll(async () => {
    s3 = await startS3();
    refusedPort = await freePort();
    // Accepts connections and never says a word: a database behind a black-holed network path.
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await settleInvocations();
    await new Promise((resolve) => silent.close(resolve));
    await s3?.stop();
  });

  const config = () => ({
    defaults: { health: { ignore: { replication_slots: ['*'] } } },
    targets: [
      { id: 'orders', connection: { url: t.stewardUrl } },
      { id: 'billing', connection: { url: t.stewardUrl } },
      { id: 'refused', connection: { url: `postgres://pgsteward@127.0.0.1:${refusedPort}/app?sslmode=disable`, connectTimeout: '2s' } },
      { id: 'silent', connection: { url: `postgres://pgsteward@127.0.0.1:${silentPort}/app?sslmode=disable`, connectTimeout: '30s' } },
    ],
  });
  const TARGETS = ['orders', 'billing', 'refused', 'silent'];

  let buckets = 0;
  /** A cold start of the three handlers in one fresh module registry, sharing one SNS mock. */
  async function coldStart(): Promise<{ health: Handler; advise: Handler; summary: Handler; published: () => any[]; bucket: string }> {
    const bucket = `fleet-${++buckets}`;
    await s3.createBucket(bucket);
    const l = lambda.coldStart({
      PGSTEWARD_CONFIG: JSON.stringify(config()), PGSTEWARD_REPORTS_BUCKET: bucket, PGSTEWARD_STATE_BUCKET: bucket,
      PGSTEWARD_TOPIC_ARN: TOPIC, PGSTEWARD_S3_ENDPOINT: s3.endpoint,
    });
    return {
      health: l.load('functions/health').handler,
      advise: l.load('functions/advise').handler,
      summary: l.load('functions/fleet-summary').handler,
      published: l.published,
      bucket,
    };
  }
  const fleetPages = (pages: any[]) => pages.filter((p) => p.MessageAttributes?.target?.StringValue === 'fleet');

  it('health: every target gets its own result; the refused one is a critical finding, the silent one a timed-out task that the summary alerts on once', async () => {
    const l = await coldStart();
    const results = await fanOut(l.health, TARGETS, { maxConcurrency: 2, timeoutMs: 4000 });
    expect(fanOut.lastPeak).toBe(2);

    const summary = await l.summary({ advisor: 'health', executionId: 'exec-1', startedAt: new Date().toISOString(), results }, lambdaContext());
    expect(summary).toMatchObject({ advisor: 'health', targets: 4, ok: 3, undelivered: 0, failed: 1 });
    const byTarget = Object.fromEntries(summary.results.map((r: any) => [r.target, r]));
    expect(byTarget.orders).toMatchObject({ status: 'ok', report: expect.stringMatching(/^s3:\/\/fleet-1\/.*target=orders\//) });
    expect(byTarget.billing.status).toBe('ok');
    // Unreachable is not a failed run: health judged it, reported it and paged for it.
    expect(byTarget.refused).toMatchObject({ status: 'ok', worst: 'critical' });
    expect(byTarget.silent).toMatchObject({ status: 'failed', error: expect.stringContaining('States.Timeout') });

    // The targets' own pages (the refused database) plus one fleet page naming the silent target.
    const fleet = fleetPages(l.published());
    expect(fleet).toHaveLength(1);
    expect(JSON.parse(fleet[0].Message).email).toContain('could not run for silent');
    expect(l.published().some((p: any) => p.MessageAttributes?.target?.StringValue === 'refused')).toBe(true);

    // The same failure on the next run is not news: no second fleet page.
    const again = await l.summary({ advisor: 'health', results }, lambdaContext());
    expect(again.failed).toBe(1);
    expect(fleetPages(l.published())).toHaveLength(1);

    // When the silent target answers again, the alert resolves, once.
    const healed = results.map((r) => (r.target === 'silent' ? { target: 'silent', output: { targets: 1, results: [{ target: 'silent', worst: 'ok', errors: [] }] } } : r));
    const resolved = await l.summary({ advisor: 'health', results: healed }, lambdaContext());
    expect(resolved.failed).toBe(0);
    const pages = fleetPages(l.published());
    expect(pages).toHaveLength(2);
    expect(JSON.parse(pages[1].Message).email).toMatch(/resolved/i);
  }, 60_000);

  it('advise: a target that could not be advised is "undelivered" (it sent its own alert), not a second fleet alert', async () => {
    const l = await coldStart();
    const results = await fanOut(l.advise, ['orders', 'refused'], { maxConcurrency: 10, timeoutMs: 30_000 });
    expect(results.find((r) => r.target === 'refused')!.error).toMatchObject({ Error: 'DeliveryError' });

    const summary = await l.summary({ advisor: 'advise', results }, lambdaContext());
    expect(summary).toMatchObject({ targets: 2, ok: 1, undelivered: 1, failed: 0 });
    expect(fleetPages(l.published())).toHaveLength(0);
    // The refused target's own advise_failed alert went out.
    expect(l.published().some((p: any) => p.MessageAttributes?.target?.StringValue === 'refused')).toBe(true);
  }, 90_000);

  it('a malformed summary input is a clear error naming the field', async () => {
    const l = await coldStart();
    await expect(l.summary({ advisor: 'health', results: [{ output: {} }] }, lambdaContext())).rejects.toThrow(/results\[0\]\.target/);
  });
});
