/**
 * The SNS messages for one run of one advisor on one target: pure, no I/O.
 *
 * One message carries every transition of the run (people get one page per target, not one per
 * finding). It uses `MessageStructure: 'json'` so each protocol gets its own body:
 *  - `default` (what Amazon Q Developer in chat applications, i.e. Slack/Teams, reads): a custom
 *    notification; plain text there is dropped (field notes);
 *  - `email`: plain text that reads on a phone: verdict first, one short block per transition,
 *    then where the full report is.
 * Limits (SNS Publish API reference): Subject < 100 characters without line breaks or control
 * characters; message plus attributes at most 256 KiB. A run too big for that is cut, with a
 * pointer to the report; without a report to point to, it is split into a few messages instead.
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { Severity, worstSeverity } from '../health/catalog';
import type { Advisor, Notification, ReportLocation } from '../report/types';
import { byUrgencyThenKey } from './lifecycle';
import { runbookLinks } from './runbook';

export interface SnsMessage {
  Subject: string;
  Message: string;
  MessageStructure: 'json';
  MessageAttributes: Record<string, MessageAttributeValue>;
}

export interface MessageInput {
  advisor: Advisor;
  target: string;
  /** Silenced ones are skipped here, whatever the caller passes. */
  notifications: Notification[];
  /** Where the report was written; `missing` says why it could not be. */
  report?: ReportLocation & { missing?: string };
  /** Base URL of the rendered runbook (alerts.runbookUrl); without it, its path in the repository. */
  runbookUrl?: string;
  now: Date;
}

/** SNS: 262,144 bytes for message and attributes; keep 1 KiB for part markers and rounding. */
export const SNS_MAX_BYTES = 256 * 1024;
const BUDGET_BYTES = SNS_MAX_BYTES - 1024;
/** SNS Subject: "less than 100 characters". */
export const SUBJECT_MAX = 99;
/**
 * Amazon Q's parameter table gives no lengths that we could find; Slack caps a header at 150
 * characters and a section text at 3,000 (Block Kit reference), so chat stays inside those.
 */
const CHAT_TITLE_MAX = 150;
const CHAT_DESCRIPTION_MAX = 3000;
const CHAT_ITEM_MAX = 300;
const EMAIL_ITEM_MAX = 2000;
const KEYWORD_MAX = 50;
/** Without a report to point to, split rather than drop, but never flood a phone. */
const MAX_PARTS_WITHOUT_REPORT = 5;

const EMOJI: Record<Severity, string> = { critical: ':red_circle:', warning: ':warning:', unknown: ':grey_question:', ok: ':white_check_mark:' };

interface Run {
  input: MessageInput;
  firing: number;
  resolved: number;
  pointer: string[];
}

interface Part {
  items: Notification[];
  /** Transitions after this part that no message carries. */
  omitted: number;
  /** Set when more parts follow or precede: [index, total]. */
  part?: [number, number];
}

export function buildSnsMessages(input: MessageInput): SnsMessage[] {
  const items = input.notifications.filter((n) => !n.silenced).sort(byUrgencyThenKey);
  if (!items.length) return [];
  const run: Run = {
    input,
    firing: items.filter((n) => n.state === 'firing').length,
    resolved: items.filter((n) => n.state === 'resolved').length,
    pointer: [...reportPointer(input.report), ...runbookLinks(input.advisor, input.notifications.filter((n) => !n.silenced), input.runbookUrl).map((l) => `Runbook: ${l}`)],
  };
  const hasReport = Boolean(input.report?.json || input.report?.markdown || input.report?.consoleUrl) && !input.report?.missing;
  const maxParts = hasReport ? 1 : MAX_PARTS_WITHOUT_REPORT;

  const parts: Part[] = [];
  let rest = items;
  while (rest.length) {
    const last = parts.length === maxParts - 1;
    const current = rest;
    const k = largestFitting(current.length, (n) => fits(render(run, { items: current.slice(0, n), omitted: last ? current.length - n : 0 })));
    parts.push({ items: current.slice(0, k), omitted: last ? current.length - k : 0 });
    rest = last ? [] : current.slice(k);
  }
  if (parts.length > 1) parts.forEach((p, i) => (p.part = [i + 1, parts.length]));
  return parts.map((p) => render(run, p));
}

function render(run: Run, p: Part): SnsMessage {
  const { advisor, target, now } = run.input;
  const worst = worstSeverity(p.items.filter((n) => n.state === 'firing').map((n) => n.severity));
  const label = worst === 'ok' ? 'RESOLVED' : worst.toUpperCase();
  const counts = [run.firing ? `${run.firing} firing` : '', run.resolved ? `${run.resolved} resolved` : ''].filter(Boolean).join(', ');
  const marker = p.part ? ` (${p.part[0]}/${p.part[1]})` : '';
  const verdict = `${label}: ${counts} on ${oneLine(target)} (pgsteward ${advisor})${marker}`;

  const chat = {
    version: '1.0',
    source: 'custom',
    id: cut(`pgsteward-${advisor}-${now.getTime()}${p.part ? `-${p.part[0]}` : ''}-${oneLine(target)}`, 200),
    content: {
      textType: 'client-markdown',
      title: cut(`${EMOJI[worst]} ${mrkdwn(verdict)}`, CHAT_TITLE_MAX),
      description: chatDescription(p),
      nextSteps: run.pointer.map(mrkdwn),
      keywords: ['pgsteward', advisor, oneLine(target), label.toLowerCase()].map((k) => cut(k, KEYWORD_MAX)),
    },
    metadata: {
      // One thread per target per UTC day: follow-ups group together, yet a new day's alert
      // is not buried under an old thread (threading only applies if the channel allows it).
      threadId: cut(`pgsteward-${advisor}-${oneLine(target)}-${now.toISOString().slice(0, 10)}`, 200),
      summary: cut(verdict, 250),
      eventType: `pgsteward.${advisor}`,
      relatedResources: [run.input.report?.json, run.input.report?.markdown, run.input.report?.html].filter((r): r is string => Boolean(r)),
      additionalContext: { advisor, target, severity: worst, firing: String(run.firing), resolved: String(run.resolved), checkedAt: now.toISOString() },
    },
  };
  const email = [verdict, `Checked at ${now.toISOString()}.`, '', ...p.items.map(emailBlock), ...tail(p, run.pointer)].join('\n');

  return {
    Subject: subject(label, advisor, target, counts, marker),
    Message: JSON.stringify({ default: JSON.stringify(chat), email }),
    MessageStructure: 'json',
    MessageAttributes: {
      severity: { DataType: 'String', StringValue: worst },
      target: { DataType: 'String', StringValue: target || '-' },
      advisor: { DataType: 'String', StringValue: advisor },
    },
  };
}

/** `[CRITICAL] pgsteward health prod-db: 2 firing, 1 resolved`, the target shortened to fit. */
function subject(label: string, advisor: string, target: string, counts: string, marker: string): string {
  const head = `[${label}] pgsteward ${advisor} `;
  const end = `: ${counts}${marker}`;
  const room = SUBJECT_MAX - head.length - end.length;
  return cut(`${head}${cut(oneLine(target) || '-', Math.max(room, 8))}${end}`, SUBJECT_MAX);
}

function emailBlock(n: Notification): string {
  const label = n.state === 'resolved' ? 'RESOLVED' : n.severity.toUpperCase();
  const why = n.reason === 'new' ? '' : n.reason === 'repeat' ? ' (still firing)' : n.reason === 'changed' ? ' (severity changed)' : '';
  const lines = [`${label} - ${oneLine(n.check)}${why}`];
  if (n.object) lines.push(oneLine(n.object));
  lines.push(cut(oneLine(n.message), EMAIL_ITEM_MAX), '');
  return lines.join('\n');
}

function tail(p: Part, pointer: string[]): string[] {
  const out: string[] = [];
  if (p.part && p.part[0] < p.part[1]) out.push(`Continued in message ${p.part[0] + 1} of ${p.part[1]}.`, '');
  if (p.omitted) out.push(`...and ${p.omitted} more not shown here (message size limit).`, '');
  return [...out, ...pointer];
}

function chatDescription(p: Part): string {
  const lines: string[] = [];
  let used = 0;
  for (let i = 0; i < p.items.length; i++) {
    const n = p.items[i];
    const label = n.state === 'resolved' ? 'RESOLVED' : n.severity.toUpperCase();
    const what = `\`${code(n.check)}\`${n.object ? ` ${mrkdwn(oneLine(n.object))}` : ''}`;
    const line = cut(`${EMOJI[n.state === 'resolved' ? 'ok' : n.severity]} *${label}* ${what}: ${mrkdwn(oneLine(n.message))}`, CHAT_ITEM_MAX);
    // Keep room for the "and N more" line.
    if (used + line.length + 1 > CHAT_DESCRIPTION_MAX - 80) {
      lines.push(`_...and ${p.items.length - i + p.omitted} more: see the email or the full report_`);
      return lines.join('\n');
    }
    lines.push(line);
    used += line.length + 1;
  }
  if (p.omitted) lines.push(`_...and ${p.omitted} more: see the full report_`);
  return lines.join('\n');
}

/** Where the full report is, for people: the console link, the object, the target's history (also the digest's tail). */
export function reportPointer(report: MessageInput['report']): string[] {
  if (report?.missing) return [`The full report could not be written: ${cut(oneLine(report.missing), 500)}`];
  const out: string[] = [];
  if (report?.consoleUrl) out.push(`Full report: ${report.consoleUrl}`);
  const where = report?.html ?? report?.markdown ?? report?.json;
  if (where) out.push(`${out.length ? 'Stored at' : 'Full report'}: ${where}`);
  // The target's recent reports of every advisor (console link: the bucket is private).
  const history = report?.indexConsoleUrl ?? report?.index;
  if (history) out.push(`History: ${history}`);
  return out;
}

function fits(m: SnsMessage): boolean {
  let bytes = Buffer.byteLength(m.Message) + Buffer.byteLength(m.Subject);
  for (const [name, a] of Object.entries(m.MessageAttributes)) bytes += Buffer.byteLength(name) + a.DataType!.length + Buffer.byteLength(a.StringValue ?? '');
  return bytes <= BUDGET_BYTES;
}

/** The largest n in [1, total] with fits(n) (at least 1: one transition always goes out). */
function largestFitting(total: number, ok: (n: number) => boolean): number {
  if (ok(total)) return total;
  let lo = 1;
  let hi = total - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** No control, format or line-separator characters (SNS Subject rule; also keeps lines lines). */
export function oneLine(s: string): string {
  return s.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ').replace(/\s+/g, ' ').trim();
}

/** At most `max` UTF-16 units, never splitting a surrogate pair, `...` when shortened. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  let out = '';
  for (const ch of s) {
    if (out.length + ch.length > max - 3) break;
    out += ch;
  }
  return `${out}...`;
}

/** Slack mrkdwn: `<`, `>` and `&` are control characters (`<!channel>` would page everyone). */
function mrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inside a code span a backtick would end it early. */
function code(s: string): string {
  return mrkdwn(oneLine(s)).replace(/`/g, "'");
}
