/** A digest (compose) that throws must not silence the alerts it would have carried. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { silentLogger } from '../../lib/log';
import type { HealthReport } from '../../lib/report/types';
import { deliver } from '../../lib/runner/deliver';
import { LocalSink } from '../../lib/sinks/local';

describe('deliver with a failing compose', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgsteward-compose-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('publishes the notifications plainly, records an alert-stage error, and still writes the report', async () => {
    const client = new SNSClient({ region: 'us-east-1' });
    const sns = mockClient(client);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const report: HealthReport = {
      schemaVersion: 1, advisor: 'health', target: 'app', runId: 'abcd1234', startedAt: '2026-11-27T10:00:00.000Z', durationMs: 5,
      findings: [{ check: 'sequences', severity: 'critical', object: 'public.s', message: 'sequence public.s is 97% used' }],
      summary: { worst: 'critical', counts: { ok: 0, warning: 0, critical: 1, unknown: 0 } }, statements: 3,
      notifications: [{ key: 'app|sequences|public.s', target: 'app', check: 'sequences', object: 'public.s', severity: 'critical', state: 'firing', reason: 'new', subject: 's', message: 'sequence public.s is 97% used' }],
      errors: [],
    };
    const out = await deliver(report, {
      sink: new LocalSink(dir),
      sns: { topicArn: 'arn:aws:sns:us-east-1:123456789012:t', client },
      compose: () => { throw new Error('digest bug'); },
      logger: silentLogger,
      now: () => new Date('2026-11-27T10:00:01Z'),
    });
    const sent = sns.commandCalls(PublishCommand);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0].args[0].input.Message!).email).toContain('sequence public.s is 97% used');
    expect(out.errors).toContainEqual(expect.objectContaining({ stage: 'alert', message: expect.stringContaining('digest bug') }));
    expect(out.unpublished).toEqual([]);
    expect(report.location?.json).toBeDefined();
    sns.restore();
  });
});
