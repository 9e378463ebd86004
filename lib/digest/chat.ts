/**
 * The digest for Slack (or Teams) through Amazon Q Developer in chat applications: a custom
 * notification (`version`, `source: 'custom'`, `content: {textType: 'client-markdown', title,
 * description, nextSteps}`, `metadata`), the same content as the email, condensed.
 *
 * Size: Amazon Q's custom notification reference gives no field lengths that we could find;
 * Slack caps a section's text at 3,000 characters and a header at 150 (Block Kit reference,
 * "Section block" / "Header block"), which is why lib/alert/message.ts keeps to them too. A
 * longer description is cut at a line and ends with a pointer to the full report.
 */
import { cut, oneLine, reportPointer } from '../alert/message';
import { effectText, headline } from './phrases';
import { ms, preview, times, when } from './text';
import type { Digest } from './types';

export const CHAT_TITLE_MAX = 150;
export const CHAT_DESCRIPTION_MAX = 3000;
const SQL_MAX = 600;
const QUERY_MAX = 120;
export const CHAT_CUT_LINE = '_...cut here: the rest is in the email and the full report_';

const EMOJI = { critical: ':red_circle:', warning: ':warning:', unknown: ':grey_question:', ok: ':white_check_mark:' } as const;

export interface ChatNotification {
  version: '1.0';
  source: 'custom';
  id: string;
  content: { textType: 'client-markdown'; title: string; description: string; nextSteps: string[]; keywords: string[] };
  metadata: { threadId: string; summary: string; eventType: string; relatedResources: string[]; additionalContext: Record<string, string> };
}

export function chatNotification(d: Digest, severity: keyof typeof EMOJI): ChatNotification {
  const target = oneLine(d.target);
  const title = `${EMOJI[severity]} pgsteward digest: ${mrkdwn(target)}: ${headline(d)}`;
  return {
    version: '1.0',
    source: 'custom',
    id: cut(`pgsteward-digest-${Date.parse(d.runAt) || 0}-${target}`, 200),
    content: {
      textType: 'client-markdown',
      title: cut(title, CHAT_TITLE_MAX),
      description: fitLines(descriptionLines(d), CHAT_DESCRIPTION_MAX),
      nextSteps: reportPointer(d.location).map(mrkdwn),
      keywords: ['pgsteward', 'digest', cut(target, 50)],
    },
    metadata: {
      threadId: cut(`pgsteward-digest-${target}`, 200),
      summary: cut(`pgsteward digest for ${target}: ${headline(d)}`, 250),
      eventType: 'pgsteward.digest',
      relatedResources: [d.location?.json, d.location?.markdown].filter((r): r is string => Boolean(r)),
      additionalContext: { advisor: 'advise', target, runAt: d.runAt },
    },
  };
}

function descriptionLines(d: Digest): string[] {
  const out: string[] = [];
  for (const p of d.problems) out.push(`${EMOJI.critical} *Advise could not run:* ${mrkdwn(preview(p, 300))}`);
  if (d.todo.length) {
    out.push('*Do first*');
    d.todo.forEach((t, i) => out.push(`${i + 1}. ${mrkdwn(t.title)}: ${mrkdwn(t.why)}`, `\`\`\`${block(t.sql)}\`\`\``));
    if (d.moreTodo) out.push(`_...and ${d.moreTodo} more in the report_`);
  }
  if (d.applied.length || d.regressed.length || d.newStatements.length) {
    out.push('*Since the previous run*');
    for (const a of d.applied) {
      for (const s of a.statements) out.push(`${EMOJI.ok} Applied \`${code(a.index)}\` on ${mrkdwn(a.table)}: ${mrkdwn(effectText(s, '→'))}`);
    }
    for (const r of d.regressed) out.push(`:chart_with_upwards_trend: Slower ${times(r.factor)} (${ms(r.beforeMs)} → ${ms(r.afterMs)}): \`${code(preview(r.query, QUERY_MAX))}\``);
    for (const s of d.newStatements) out.push(`:new: ${ms(s.meanTimeMs)} mean, ${s.calls} calls: \`${code(preview(s.query, QUERY_MAX))}\``);
  }
  if (d.partitions) {
    const ok = d.partitions.tables.filter((t) => t.status === 'ok');
    out.push(`*Partitions* (as of ${when(d.partitions.asOf)})`);
    for (const t of d.partitions.tables.filter((x) => x.status !== 'ok')) {
      out.push(`${EMOJI.warning} *${t.status}* ${mrkdwn(t.table)}: ${mrkdwn(t.ahead)}${t.problems.length ? `; ${mrkdwn(preview(t.problems.join('; '), 300))}` : ''}`);
    }
    for (const t of ok) out.push(`${EMOJI.ok} ${mrkdwn(t.table)}: ${mrkdwn(t.ahead)}`);
  }
  if (d.health.length) {
    out.push('*Health alerts still firing*');
    for (const h of d.health) out.push(`${EMOJI[h.severity]} \`${code(h.check)}\`${h.object ? ` ${mrkdwn(oneLine(h.object))}` : ''} since ${when(h.since)}: ${mrkdwn(preview(h.message, 200))}`);
  }
  return out;
}

/** Whole lines up to `max` characters; when cut, the last line says where the rest is. */
export function fitLines(lines: string[], max: number): string {
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > max - CHAT_CUT_LINE.length - 1) {
      kept.push(CHAT_CUT_LINE);
      break;
    }
    kept.push(line);
    used += line.length + 1;
  }
  return kept.join('\n');
}

/** Slack mrkdwn: `<`, `>` and `&` are control characters (`<!channel>` would page everyone). */
function mrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inside a code span a backtick would end it early. */
function code(s: string): string {
  return mrkdwn(oneLine(s)).replace(/`/g, "'");
}

/** A code block keeps line breaks; three backticks would end it. */
function block(sql: string): string {
  return mrkdwn(cut(sql, SQL_MAX)).replace(/```/g, "'''");
}
