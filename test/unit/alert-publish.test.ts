import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { buildSnsMessages } from '../../lib/alert/message';
import { formatForConsole, publish } from '../../lib/alert/publish';
import type { Notification } from '../../lib/report/types';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:pgsteward-alerts';
const sns = mockClient(SNSClient);

const firing: Notification = {
  key: 'prod-db|xid_wraparound|database app',
  target: 'prod-db',
  check: 'xid_wraparound',
  object: 'database app',
  severity: 'critical',
  state: 'firing',
  reason: 'new',
  subject: 'CRITICAL xid_wraparound on prod-db: database app',
  message: 'XID age 1.6 billion',
};

beforeEach(() => sns.reset());

describe('publish', () => {
  it('publishes each built message to the topic as it was built', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const messages = buildSnsMessages({ advisor: 'health', target: 'prod-db', notifications: [firing], now: new Date('2024-06-01T10:00:00Z') });

    // Act
    const result = await publish(messages, { topicArn: TOPIC, client: new SNSClient({ region: 'eu-west-1' }) });

    // Assess
    expect(result).toEqual({ sent: 1, failed: [] });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: messages[0].Subject,
      Message: messages[0].Message,
      MessageStructure: 'json',
      MessageAttributes: messages[0].MessageAttributes,
    });
  });

  it('reports a rejected publish in `failed` instead of throwing, and still sends the others', async () => {
    // Prepare: the first message is refused, the second accepted
    const denied = Object.assign(new Error('User is not authorized to perform: SNS:Publish'), { name: 'AuthorizationErrorException' });
    sns.on(PublishCommand).rejectsOnce(denied).resolves({ MessageId: 'm-2' });
    const [m] = buildSnsMessages({ advisor: 'health', target: 'prod-db', notifications: [firing], now: new Date() });

    // Act
    const result = await publish([m, { ...m, Subject: 'second' }], { topicArn: TOPIC, region: 'eu-west-1' });

    // Assess
    expect(result.sent).toBe(1);
    expect(result.failed).toEqual([{ error: denied, subject: m.Subject }]);
  });

  it('sends nothing for no messages', async () => {
    expect(await publish([], { topicArn: TOPIC })).toEqual({ sent: 0, failed: [] });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });
});

describe('formatForConsole', () => {
  it('prints one line per transition, marking silenced ones and stripping terminal escapes', () => {
    const out = formatForConsole([
      firing,
      { ...firing, key: 'k2', check: 'sequences', object: 's', reason: 'repeat', subject: 'WARNING sequences on prod-db: s\u001b[31m', silenced: { until: '2099-01-01T00:00:00Z', reason: 'bigint migration' } },
    ]);

    expect(out).toBe(
      'pgsteward alert: CRITICAL xid_wraparound on prod-db: database app [new]: XID age 1.6 billion\n' +
        'pgsteward alert: WARNING sequences on prod-db: s [31m [repeat]: XID age 1.6 billion (silenced until 2099-01-01T00:00:00Z: bigint migration)\n',
    );
    expect(formatForConsole([])).toBe('');
  });
});
