/**
 * Sending what message.ts built, and the console fallback when no topic is configured.
 *
 * publish() never throws for a message SNS refused: it reports it, because the caller still has
 * work to do after a failed page (keep the report, record the failure, un-claim the alerts so the
 * next run retries them) and decides the exit code itself.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Notification } from '../report/types';
import { oneLine, SnsMessage } from './message';

export interface PublishOptions {
  topicArn: string;
  /** Used only when no client is given. */
  region?: string;
  client?: SNSClient;
}

export interface PublishResult {
  /** Messages SNS accepted. */
  sent: number;
  failed: { error: unknown; subject: string }[];
}

export async function publish(messages: SnsMessage[], options: PublishOptions): Promise<PublishResult> {
  const result: PublishResult = { sent: 0, failed: [] };
  if (!messages.length) return result;
  const region = options.region ?? regionOfArn(options.topicArn);
  const client = options.client ?? new SNSClient(region ? { region } : {});
  try {
    // In order, one at a time: parts of a split run should arrive as 1/3, 2/3, 3/3.
    for (const m of messages) {
      try {
        await client.send(new PublishCommand({ TopicArn: options.topicArn, ...m }));
        result.sent++;
      } catch (error) {
        result.failed.push({ error, subject: m.Subject });
      }
    }
  } finally {
    // A client we made is ours to close (its sockets would keep a CLI process alive).
    if (!options.client) client.destroy();
  }
  return result;
}

/** `arn:aws:sns:eu-west-1:123456789012:alerts` → `eu-west-1`: a topic lives in its own region. */
export function regionOfArn(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region || undefined;
}

/**
 * What the CLI prints on stderr when there is no SNS topic: one line per transition, silenced
 * ones marked (they are listed, never "sent"), ending with a newline; empty when there is none.
 */
export function formatForConsole(notifications: Notification[]): string {
  if (!notifications.length) return '';
  const lines = notifications.map((n) => {
    const tag = n.reason === 'resolved' ? '' : ` [${n.reason}]`;
    const muted = n.silenced ? ` (silenced until ${n.silenced.until}: ${n.silenced.reason})` : '';
    // oneLine: object names come from the database and must not smuggle terminal escapes.
    return oneLine(`pgsteward alert: ${n.subject}${tag}: ${n.message}${muted}`);
  });
  return `${lines.join('\n')}\n`;
}
