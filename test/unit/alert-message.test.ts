import { buildSnsMessages, SNS_MAX_BYTES, SnsMessage } from '../../lib/alert/message';
import type { Severity } from '../../lib/health/catalog';
import type { Notification } from '../../lib/report/types';

const NOW = new Date('2024-06-01T10:00:00Z');
const REPORT = {
  json: 's3://reports/health/prod-db/2024-06-01T10-00-00Z.json',
  markdown: 's3://reports/health/prod-db/2024-06-01T10-00-00Z.md',
  consoleUrl: 'https://s3.console.aws.amazon.com/s3/object/reports?prefix=health/prod-db/2024-06-01T10-00-00Z.md',
};

function note(check: string, severity: Severity, over: Partial<Notification> = {}): Notification {
  const object = over.object;
  const resolved = over.state === 'resolved';
  return {
    key: `prod-db|${check}|${object ?? ''}`,
    target: 'prod-db',
    check,
    severity: resolved ? 'ok' : severity,
    state: 'firing',
    reason: resolved ? 'resolved' : 'new',
    subject: `${severity.toUpperCase()} ${check} on prod-db`,
    message: `${check} needs attention`,
    ...over,
  };
}

function decode(m: SnsMessage) {
  const body = JSON.parse(m.Message) as { default: string; email: string };
  return { chat: JSON.parse(body.default), email: body.email };
}

describe('SNS messages', () => {
  it('carries all transitions of a run in one message: a custom notification for chat and plain text for email', () => {
    // Prepare
    const notifications = [
      note('xid_wraparound', 'critical', { object: 'database app', message: 'XID age 1.6 billion (critical at 1.5 billion)' }),
      note('connections', 'ok', { state: 'resolved', message: 'Connections 40% of the limit' }),
      note('sequences', 'warning', { object: 'public.orders_id_seq', silenced: { until: '2099-01-01T00:00:00Z', reason: 'migrating' } }),
    ];

    // Act
    const messages = buildSnsMessages({ advisor: 'health', target: 'prod-db', notifications, report: REPORT, now: NOW });

    // Assess
    expect(messages).toHaveLength(1);
    const [m] = messages;
    expect(m.MessageStructure).toBe('json');
    expect(m.Subject).toBe('[CRITICAL] pgsteward health prod-db: 1 firing, 1 resolved');
    const { chat, email } = decode(m);
    expect(chat).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown', title: expect.stringContaining('CRITICAL'), description: expect.stringContaining('xid_wraparound') },
      metadata: { eventType: 'pgsteward.health', relatedResources: [REPORT.json, REPORT.markdown] },
    });
    expect(typeof chat.id).toBe('string');
    expect(chat.content.nextSteps.join('\n')).toContain(REPORT.consoleUrl);
    expect(chat.content.description).not.toContain('orders_id_seq'); // silenced: not published
    const lines = email.split('\n');
    expect(lines[0]).toBe('CRITICAL: 1 firing, 1 resolved on prod-db (pgsteward health)');
    expect(email).toContain('CRITICAL - xid_wraparound\ndatabase app\nXID age 1.6 billion (critical at 1.5 billion)');
    expect(email).toContain('RESOLVED - connections\nConnections 40% of the limit');
    expect(email).toContain(`Full report: ${REPORT.consoleUrl}`);
    expect(email).not.toContain('orders_id_seq');
  });

  it('sends nothing when every transition is silenced', () => {
    const messages = buildSnsMessages({ advisor: 'health', target: 'prod-db', notifications: [note('vacuum', 'warning', { silenced: { until: 'x', reason: 'y' } })], now: NOW });

    expect(messages).toEqual([]);
  });

  it('says so when the report could not be written', () => {
    const [m] = buildSnsMessages({ advisor: 'health', target: 'prod-db', notifications: [note('vacuum', 'warning')], report: { ...REPORT, missing: 'AccessDenied on s3://reports' }, now: NOW });

    const { chat, email } = decode(m);
    expect(email).toContain('The full report could not be written: AccessDenied on s3://reports');
    expect(chat.content.nextSteps).toEqual(['The full report could not be written: AccessDenied on s3://reports', 'Runbook: docs/runbook.md#check-vacuum']);
    expect(email).toContain('Runbook: docs/runbook.md#check-vacuum');
  });

  it('keeps the subject one short line whatever the target name holds', () => {
    // Prepare: line breaks, a tab, a bell, an RTL override, a zero-width space, emoji and length
    const nasty = `prod\r\n\tdb\u0007\u202Eevil\u200B😀${'x'.repeat(300)}`;

    // Act
    const [m] = buildSnsMessages({ advisor: 'health', target: nasty, notifications: [note('connections', 'critical', { target: nasty })], report: REPORT, now: NOW });

    // Assess
    expect(m.Subject.length).toBeLessThan(100);
    expect(m.Subject).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
    expect(m.Subject).toMatch(/^\[CRITICAL\] pgsteward health prod db evil 😀x+\.\.\.: 1 firing$/u);
    expect(decode(m).email.split('\n')[0]).not.toMatch(/[\r\t\u0007]/);
  });

  it('escapes chat markup so a target or object name cannot ping a channel', () => {
    const [m] = buildSnsMessages({ advisor: 'health', target: 'db', notifications: [note('vacuum', 'warning', { object: '<!channel> & `x`' })], now: NOW });

    const description = decode(m).chat.content.description as string;
    expect(description).toContain('&lt;!channel&gt; &amp;');
    expect(description).not.toContain('<!channel>');
  });

  it('stays under 256 KiB with 5,000 transitions and points to the report for the rest', () => {
    // Prepare
    const many = Array.from({ length: 5000 }, (_, i) =>
      note('invalid_indexes', i % 2 ? 'warning' : 'critical', { object: `public.index_number_${i}_${'n'.repeat(40)}`, message: `Index ${i} is invalid: ${'detail '.repeat(10)}` }),
    );

    // Act
    const messages = buildSnsMessages({ advisor: 'health', target: 'prod-db', notifications: many, report: REPORT, now: NOW });

    // Assess
    expect(messages).toHaveLength(1);
    const [m] = messages;
    expect(Buffer.byteLength(m.Message) + Buffer.byteLength(m.Subject)).toBeLessThan(SNS_MAX_BYTES);
    expect(m.Subject).toBe('[CRITICAL] pgsteward health prod-db: 5000 firing');
    const { chat, email } = decode(m);
    expect(email).toMatch(/\.\.\.and \d+ more not shown here \(message size limit\)\./);
    expect(email).toContain(`Full report: ${REPORT.consoleUrl}`);
    expect(chat.content.description.length).toBeLessThanOrEqual(3000);
    expect(chat.content.description).toMatch(/more: see the email or the full report/);
  });

  it('splits into a few messages instead of cutting when there is no report to point to', () => {
    const many = Array.from({ length: 3000 }, (_, i) => note('invalid_indexes', 'warning', { object: `public.idx_${i}`, message: 'x'.repeat(150) }));

    const messages = buildSnsMessages({ advisor: 'health', target: 'prod-db', notifications: many, now: NOW });

    expect(messages.length).toBeGreaterThan(1);
    expect(messages.length).toBeLessThanOrEqual(5);
    expect(messages[0].Subject).toBe(`[WARNING] pgsteward health prod-db: 3000 firing (1/${messages.length})`);
    for (const m of messages) expect(Buffer.byteLength(m.Message)).toBeLessThan(SNS_MAX_BYTES);
    const carried = messages.map((m) => (decode(m).email.match(/^WARNING - invalid_indexes$/gm) ?? []).length);
    expect(carried.reduce((a, b) => a + b, 0)).toBe(3000);
  });

  it('sets severity, target and advisor attributes for subscription filter policies', () => {
    const [firing] = buildSnsMessages({ advisor: 'health', target: 'prod-db', notifications: [note('vacuum', 'warning'), note('xid_wraparound', 'critical')], now: NOW });
    const [resolved] = buildSnsMessages({ advisor: 'health', target: 'prod-db', notifications: [note('vacuum', 'warning', { state: 'resolved' })], now: NOW });

    expect(firing.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
      target: { DataType: 'String', StringValue: 'prod-db' },
      advisor: { DataType: 'String', StringValue: 'health' },
    });
    expect(resolved.MessageAttributes.severity.StringValue).toBe('ok');
    expect(resolved.Subject).toBe('[RESOLVED] pgsteward health prod-db: 1 resolved');
  });
});
