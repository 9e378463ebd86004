/**
 * The nightly digest end to end: two advise runs on a real PostgreSQL with the real local sink
 * and state store, SNS mocked at the SDK client. Between the runs the recommended index is
 * created (its statement run as written) and an index another statement used is dropped; the
 * second digest must name the applied recommendation with its measured effect and the statement
 * that became slower, with the partitions of the latest partitions run and the health alerts
 * still firing; empty sections are left out. Both advisors connect as the restricted role of
 * sql/roles.sql; for partition DDL it is a member of dg_events' owner role (test/support/owner.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { Client } from 'pg';
import { evaluate } from '../../lib/alert/lifecycle';
import { SNS_MAX_BYTES } from '../../lib/alert/message';
import { LocalStateStore } from '../../lib/alert/state-store-local';
import { parseConfig } from '../../lib/config/load';
import { resolveAlerts, resolveTarget } from '../../lib/config/resolve';
import { buildDigest } from '../../lib/digest/build';
import { CHAT_DESCRIPTION_MAX } from '../../lib/digest/chat';
import { digestMessages, EMAIL_CUT_LINE } from '../../lib/digest/message';
import { silentLogger } from '../../lib/log';
import type { AdviseReport, PartitionsReport } from '../../lib/report/types';
import { runAdvise } from '../../lib/runner/advise';
import { runPartitions } from '../../lib/runner/partitions';
import { LocalSink } from '../../lib/sinks/local';
import { useTestDatabase } from '../support/db';
import { useOwnerRole } from '../support/owner';

/* eslint-disable @typescript-eslint/no-explicit-any */

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:pgsteward-alerts';
const TARGET = 'shop';
const ORDERS_QUERY = 'select * from dg_orders where customer_id = $1';
const EMAIL_QUERY = 'select id from dg_customers where email = $1';

function decode(input: any): { chat: any; email: string } {
  const body = JSON.parse(input.Message);
  return { chat: JSON.parse(body.default), email: body.email };
}

describe('nightly digest after two advise runs', () => {
  const t = useTestDatabase();
  const owner = useOwnerRole(t);
  const sns = mockClient(SNSClient);
  let dir: string;
  let app: Client;
  const reports: AdviseReport[] = [];
  const digests: { chat: any; email: string; input: any }[] = [];
  let partitionsReport: PartitionsReport;

  const config = () => parseConfig({
    // Test-sized: every mean counts, and the interval since the previous run is used however short.
    defaults: { advise: { minMeanTimeMs: 0, minInterval: '0s', storageBudget: '80MB' } },
    targets: [{
      id: TARGET,
      connection: { url: t.stewardUrl },
      partitions: [
        { table: 'dg_events', column: 'at', interval: '1 day', premake: 3 },
        { table: 'dg_nowhere', column: 'at', interval: '1 day' },
      ],
    }],
  });

  async function workload(): Promise<void> {
    for (let i = 0; i < 6; i++) {
      await app.query(ORDERS_QUERY, [100 + i]);
      await app.query(EMAIL_QUERY, [`user${i}@example.com`]);
    }
  }

  async function advise(): Promise<{ report: AdviseReport; published: any[] }> {
    sns.resetHistory();
    const cfg = config();
    const outcome = await runAdvise(resolveTarget(cfg, cfg.targets![0]), {
      alerts: resolveAlerts(cfg), state: new LocalStateStore(join(dir, 'state')), sink: new LocalSink(join(dir, 'reports')),
      sns: { topicArn: TOPIC, client: new SNSClient({ region: 'us-east-1' }) }, logger: silentLogger,
    });
    expect(outcome.report.errors).toEqual([]);
    return { report: outcome.report, published: sns.commandCalls(PublishCommand).map((c) => c.args[0].input) };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pgsteward-digest-'));
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    // Only the partitioned table goes to the owner role: advise must work on dg_orders and
    // dg_customers (still the superuser's) with the SELECT that sql/roles.sql grants.
    await t.admin.query('create table dg_events (id bigint not null, at timestamptz not null) partition by range (at)');
    await owner.adopt();
    await t.admin.query('create table dg_orders (id bigserial primary key, customer_id int not null, total numeric not null)');
    await t.admin.query('insert into dg_orders (customer_id, total) select g % 30000, g % 300 from generate_series(1, 300000) g');
    await t.admin.query('create table dg_customers (id serial primary key, email text not null)');
    await t.admin.query(`insert into dg_customers (email) select 'user' || g || '@example.com' from generate_series(1, 150000) g`);
    await t.admin.query('create index dg_customers_email_idx on dg_customers (email)');
    await t.admin.query('vacuum analyze dg_orders, dg_customers');
    t.applyRoleScript();
    // The bulk load is not the workload (see advise.test.ts): flush, then reset the counters.
    await t.admin.query('select pg_stat_force_next_flush()');
    await t.admin.query('select pg_stat_reset()');
    app = await t.session();

    // The hourly partitions run of the same target (pgsteward, through the owner role), into the same sink.
    const cfg = config();
    partitionsReport = (await runPartitions(resolveTarget(cfg, cfg.targets![0]), { alerts: resolveAlerts(cfg), sink: new LocalSink(join(dir, 'reports')), logger: silentLogger })).report;

    // A health alert firing since yesterday, kept by the real lifecycle in the real state store.
    const yesterday = new Date(Date.now() - 86_400_000);
    const health = evaluate({}, { target: TARGET, advisor: 'health', findings: [{ check: 'xid_wraparound', object: 'database app', severity: 'critical', message: 'XID age 1.6 billion (critical at 1.5 billion)' }], evaluatedChecks: ['xid_wraparound'], now: yesterday, settings: resolveAlerts(cfg) });
    await new LocalStateStore(join(dir, 'state')).save(`health/${TARGET}`, { version: 1, advisor: 'health', target: TARGET, updatedAt: yesterday.toISOString(), alerts: health.next, memory: {} });

    // Night 1.
    await workload();
    const night1 = await advise();
    reports.push(night1.report);
    digests.push(...night1.published.map((input) => ({ ...decode(input), input })));

    // During the day: the recommendation is applied as written; an index the email lookup used goes.
    const rec = night1.report.recommendations.find((r) => r.table === 'public.dg_orders')!;
    for (const stmt of rec.statement.split(/;\n?/).filter(Boolean)) await t.admin.query(stmt);
    await t.admin.query('drop index dg_customers_email_idx');
    await workload();

    // Night 2.
    const night2 = await advise();
    reports.push(night2.report);
    digests.push(...night2.published.map((input) => ({ ...decode(input), input })));
  }, 120_000);

  afterAll(() => {
    sns.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  it('night 1: one digest with the things to do first and their SQL, the partitions and the firing health alert; no comparison yet', () => {
    const [report] = reports;
    expect(digests).toHaveLength(2);
    const { email, chat, input } = digests[0];
    const rec = report.recommendations.find((r) => r.table === 'public.dg_orders')!;
    expect(rec.statements[0].meanTimeMs).toBeGreaterThan(0);
    expect(input.MessageStructure).toBe('json');
    expect(input.MessageAttributes.kind.StringValue).toBe('digest');
    expect(input.MessageAttributes.severity.StringValue).toBe('critical');
    expect(email).toContain('DO FIRST');
    expect(email).toContain('1. Create an index on public.dg_orders (customer_id)');
    // The SQL, wrapped at whitespace only, runs as written.
    expect(email.replace(/\n\s+/g, ' ')).toContain(rec.statement);
    expect(email).toContain(ORDERS_QUERY);
    expect(email).not.toContain('SINCE THE PREVIOUS RUN');
    expect(email).not.toMatch(/\bnone\b/i);
    expect(email).toMatch(/PARTITIONS \(as of .*\)\n-+\n/);
    expect(email).toMatch(/public\.dg_events|dg_events: 3 partitions ahead, up to .* \(\d days\)/);
    expect(email).toMatch(/FAILED dg_nowhere/);
    expect(email).toContain('HEALTH ALERTS STILL FIRING');
    expect(email).toMatch(/CRITICAL xid_wraparound \(database app\) since \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(email).toContain(`Full report: ${report.location!.html}`);
    expect(email).toContain(`History: ${report.location!.index}`);
    expect(chat.content.description).toContain('*Do first*');
    expect(chat.content.description).not.toContain('*Since the previous run*');
    expect(partitionsReport.tables.map((x) => x.status).sort()).toEqual(['failed', 'ok']);
  });

  it('night 2: the applied recommendation with its measured effect, and the statement made slower', () => {
    const [night1, night2] = reports;
    const rec = night1.recommendations.find((r) => r.table === 'public.dg_orders')!;
    const queryid = rec.statements[0].queryid;
    const before = rec.statements[0].meanTimeMs!;
    const after = night2.topStatements!.find((s) => s.queryid === queryid)!.meanTimeMs;
    expect(after).toBeLessThan(before);
    expect(night2.applied).toEqual([expect.objectContaining({ table: 'public.dg_orders', columns: ['customer_id'], recommendedAt: night1.startedAt, statements: [{ queryid, beforeMs: before, afterMs: after }] })]);

    const { email, chat } = digests[1];
    const index = night2.applied![0].index;
    expect(email).toContain(`Applied: ${index} on public.dg_orders (customer_id)`);
    const effect = new RegExp(`mean ${fmt(before)} -> ${fmt(after)} \\((\\d+(?:\\.\\d)?)x faster\\)`);
    expect(email).toMatch(effect);
    expect(Number(effect.exec(email)![1])).toBeCloseTo(before / after, before / after >= 10 ? -0.5 : 0);

    const emailBefore = night1.topStatements!.find((s) => s.query === EMAIL_QUERY)!;
    const emailAfter = night2.topStatements!.find((s) => s.queryid === emailBefore.queryid)!;
    expect(emailAfter.meanTimeMs / emailBefore.meanTimeMs).toBeGreaterThan(1.5);
    expect(email).toContain(`-> ${fmt(emailAfter.meanTimeMs, false)}\n  ${EMAIL_QUERY}`);
    expect(email).toMatch(new RegExp(`Slower \\d+(\\.\\d)?x: mean ${fmt(emailBefore.meanTimeMs)} -> `));
    // The lookup now needs an index again: it is among the things to do, the applied one is not.
    expect(email).not.toContain('Create an index on public.dg_orders');
    expect(email).toContain('Create an index on public.dg_customers (email)');
    expect(chat.content.description).toContain(`Applied \`${index}\``);
    expect(chat.content.description).toContain(':chart_with_upwards_trend: Slower');
  });

  it('each message keeps the SNS and chat limits, reads on a phone and carries the custom-notification fields', () => {
    for (const { email, chat, input } of digests) {
      expect(Buffer.byteLength(input.Message)).toBeLessThanOrEqual(SNS_MAX_BYTES);
      expect(input.Subject.length).toBeLessThan(100);
      expect(input.Subject).not.toMatch(/[\r\n]/);
      expect(input.Subject).toMatch(/^pgsteward digest shop: /);
      // ≤ 78 characters, unless a single word (a path or URL) is longer by itself.
      for (const line of email.split('\n')) if (line.length > 78) expect(line.trim()).toMatch(/^(\S+|Full report: \S+|Stored at: \S+|History: \S+)$/);
      expect(chat).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' }, metadata: { eventType: 'pgsteward.digest' } });
      expect(chat.content.title.length).toBeLessThanOrEqual(150);
      expect(chat.content.description.length).toBeLessThanOrEqual(CHAT_DESCRIPTION_MAX);
      expect(chat.content.nextSteps.join('\n')).toContain('.html');
    }
  });

  it('a digest too long for SNS is cut at a line and points to the full report', () => {
    const [, night2] = reports;
    const health = Array.from({ length: 4000 }, (_, i) => ({ check: 'long_running_queries', object: `pid ${i}`, severity: 'warning' as const, since: night2.startedAt, message: `${'select '.repeat(20)}${i}` }));
    const [m] = digestMessages(buildDigest({ report: night2, previous: reports[0], partitions: partitionsReport, health, location: night2.location }));
    const { email, chat } = decode(m);
    expect(Buffer.byteLength(m.Message)).toBeLessThanOrEqual(SNS_MAX_BYTES);
    expect(Buffer.byteLength(m.Message)).toBeGreaterThan(SNS_MAX_BYTES - 4096);
    expect(email).toContain(EMAIL_CUT_LINE);
    expect(email.trimEnd().endsWith(`History: ${night2.location!.index}`)).toBe(true);
    expect(email).toContain(`Full report: ${night2.location!.html}`);
    expect(email).toContain('DO FIRST');
    expect(chat.content.description.length).toBeLessThanOrEqual(CHAT_DESCRIPTION_MAX);
    expect(chat.content.description).toMatch(/cut here: the rest is in the email and the full report_$/);
  });
});

/** The digest's own rounding of a mean (lib/digest/text.ts ms()). */
function fmt(v: number, escape = true): string {
  const text = v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3)} ms`;
  return escape ? text.replace('.', '\\.') : text;
}
