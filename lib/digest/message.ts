/**
 * The digest as one SNS message (`MessageStructure: 'json'`): `default` is the Amazon Q custom
 * notification (chat.ts) and `email` the plain text (email.ts). Nothing to say, no message.
 *
 * Limits (SNS Publish API reference): Subject under 100 characters without line breaks or
 * control characters; message and attributes at most 256 KiB. A digest too big for that keeps
 * whole lines of the email up to the limit and ends with a pointer to the full report.
 */
import { worstSeverity, Severity } from '../health/catalog';
import { cut, oneLine, reportPointer, SNS_MAX_BYTES, SnsMessage, SUBJECT_MAX } from '../alert/message';
import { hasSomethingToSay } from './build';
import { chatNotification } from './chat';
import { emailParts } from './email';
import { headline } from './phrases';
import type { Digest } from './types';

/** Keep 1 KiB for attributes and rounding, as lib/alert/message.ts does. */
const BUDGET_BYTES = SNS_MAX_BYTES - 1024;
export const EMAIL_CUT_LINE = '...cut here (SNS message size limit): the rest is in the full report.';

export function digestMessages(d: Digest, budgetBytes = BUDGET_BYTES): SnsMessage[] {
  if (!hasSomethingToSay(d)) return [];
  const severity = digestSeverity(d);
  const chat = JSON.stringify(chatNotification(d, severity));
  const { head, body } = emailParts(d);
  // Sections end with a blank line already.
  const tail = reportPointer(d.location);
  const build = (n: number): SnsMessage => {
    const kept = n < body.length ? [...body.slice(0, n), '', EMAIL_CUT_LINE, ''] : body;
    return {
      Subject: cut(oneLine(`pgsteward digest ${d.target}: ${headline(d)}`), SUBJECT_MAX),
      Message: JSON.stringify({ default: chat, email: [...head, ...kept, ...tail].join('\n') }),
      MessageStructure: 'json',
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: severity },
        target: { DataType: 'String', StringValue: d.target || '-' },
        advisor: { DataType: 'String', StringValue: 'advise' },
        kind: { DataType: 'String', StringValue: 'digest' },
      },
    };
  };
  const fits = (n: number) => messageBytes(build(n)) <= budgetBytes;
  if (fits(body.length)) return [build(body.length)];
  let lo = 0;
  let hi = body.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return [build(lo)];
}

/** The whole email as text, uncut (the CLI's `advise --digest` preview); '' when there is nothing to say. */
export function digestEmailText(d: Digest): string {
  if (!hasSomethingToSay(d)) return '';
  const { head, body } = emailParts(d);
  return [...head, ...body, ...reportPointer(d.location)].join('\n');
}

/** For subscription filter policies: the worst firing health alert; things to do are warnings. */
export function digestSeverity(d: Digest): Severity {
  const attention = d.todo.length || d.regressed.length || d.problems.length || d.partitions?.tables.some((t) => t.status !== 'ok');
  return worstSeverity([...d.health.map((h) => h.severity), ...(attention ? ['warning' as const] : [])]);
}

export function messageBytes(m: SnsMessage): number {
  let bytes = Buffer.byteLength(m.Message) + Buffer.byteLength(m.Subject);
  for (const [name, a] of Object.entries(m.MessageAttributes)) bytes += Buffer.byteLength(name) + a.DataType!.length + Buffer.byteLength(a.StringValue ?? '');
  return bytes;
}
