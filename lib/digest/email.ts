/**
 * The digest as plain text for email, written for a phone: short lines (≤ 78 characters where a
 * word allows), no tables, SQL on its own lines (wrapped only where SQL allows), sections in the
 * order people act on them, and an empty section left out.
 *
 * Returns the body as lines so message.ts can cut it at a line when SNS's size limit demands.
 */
import { effectText, headline } from './phrases';
import { ms, preview, times, when, wrap, wrapSql } from './text';
import type { Digest } from './types';

/** Enough of a statement to recognise it; the queryid and the report have the rest. */
const QUERY_PREVIEW = 300;

export interface EmailParts {
  head: string[];
  body: string[];
}

export function emailParts(d: Digest): EmailParts {
  const head = [...wrap(`pgsteward digest for ${d.target}: ${headline(d)}`), `Advise run of ${when(d.runAt)}.`, ''];
  const body: string[] = [];
  const section = (title: string, lines: string[]) => {
    if (lines.length) body.push(title, '-'.repeat(title.length), ...lines);
  };

  section('ADVISE COULD NOT RUN', d.problems.flatMap((p) => [...wrap(p), '']));

  section('DO FIRST', [
    ...d.todo.flatMap((t, i) => [
      ...wrap(`${i + 1}. ${t.title}`, ''),
      ...wrap(t.why, '   '),
      ...(t.forStatement ? ['   For:', ...wrap(preview(t.forStatement, QUERY_PREVIEW), '     ')] : []),
      '   Run:',
      ...wrapSql(t.sql, '     '),
      '',
    ]),
    ...(d.moreTodo ? [`...and ${d.moreTodo} more in the report.`, ''] : []),
  ]);

  section('SINCE THE PREVIOUS RUN', [
    ...d.applied.flatMap((a) => [
      ...wrap(`Applied: ${a.index} on ${a.table} (${a.columns.join(', ')}), recommended ${when(a.recommendedAt)}`),
      ...a.statements.flatMap((s) => [
        ...wrap(effectText(s), '  '),
        ...(a.texts[s.queryid] ? wrap(preview(a.texts[s.queryid], QUERY_PREVIEW), '    ') : wrap(`queryid ${s.queryid}`, '    ')),
      ]),
      '',
    ]),
    ...d.regressed.flatMap((r) => [
      ...wrap(`Slower ${times(r.factor)}: mean ${ms(r.beforeMs)} -> ${ms(r.afterMs)}`),
      ...wrap(preview(r.query, QUERY_PREVIEW), '  '),
      '',
    ]),
    ...(d.newStatements.length
      ? [
        'New among the heaviest statements:',
        ...d.newStatements.flatMap((s) => [...wrap(`${ms(s.meanTimeMs)} mean, ${s.calls} calls, ${ms(s.totalTimeMs)} in all:`, '  '), ...wrap(preview(s.query, QUERY_PREVIEW), '    ')]),
        '',
      ]
      : []),
  ]);

  if (d.partitions) {
    section(`PARTITIONS (as of ${when(d.partitions.asOf)})`, [
      ...d.partitions.tables.flatMap((t) => [
        ...wrap(`${t.status === 'ok' ? '' : `${t.status.toUpperCase()} `}${t.table}: ${t.ahead}`),
        ...t.problems.flatMap((p) => wrap(p, '  ')),
      ]),
      '',
    ]);
  }

  section('HEALTH ALERTS STILL FIRING', d.health.flatMap((h) => [
    ...wrap(`${h.severity.toUpperCase()} ${h.check}${h.object ? ` (${h.object})` : ''} since ${when(h.since)}`),
    ...wrap(h.message, '  '),
    '',
  ]));

  return { head, body };
}
