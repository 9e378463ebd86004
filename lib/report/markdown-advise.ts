/**
 * Markdown for the index advisor: what to run first, in a sentence each a developer
 * understands, with the SQL; then indexes to drop; then what was not analysed and why.
 */
import { formatBytes, formatDuration } from '../config/units';
import type { AdviseReport } from './types';

export function renderAdvise(r: AdviseReport): string {
  const s = r.summary;
  const lines: string[] = [`# Index advice for ${r.target}`, ''];
  lines.push(
    `Run \`${r.runId}\` at ${r.startedAt}: ${s.analysed} statements analysed (${s.counters === 'interval' ? `since ${s.since}` : 'cumulative counters'}), ` +
      `${s.candidates} candidate indexes tried with ${s.whatIf === 'hypopg' ? 'HypoPG (hypothetical indexes)' : 'the trial engine (real indexes, rolled back)'} in ${s.whatIfCalls} plans, ` +
      `storage budget ${formatBytes(s.budgetBytes)}.`,
  );
  if (r.standby) lines.push('', `> **Standby.** ${r.standby}`);
  if (s.note) lines.push('', `> ${s.note}`);
  lines.push('');
  if (r.recommendations.length) {
    lines.push(`## Create (${r.recommendations.length}, ${formatBytes(s.totalSizeBytes)} in all)`, '');
    r.recommendations.forEach((x, i) => {
      lines.push(`### ${i + 1}. ${x.table} (${x.columns.map((c, k) => `${c}${x.directions?.[k] && x.directions[k] !== 'asc' ? ` ${x.directions[k].toUpperCase()}` : ''}`).join(', ')})`, '');
      lines.push(x.explanation, '');
      lines.push('| Statement | Calls | Cost before | Cost after | Estimate |', '|---|---|---|---|---|');
      for (const st of x.statements) lines.push(`| \`${st.queryid}\` | ${st.calls} | ${st.costBefore} | ${st.costAfter} | ${st.estimate} |`);
      lines.push('', '```sql', x.statement, '```', '');
    });
  } else {
    lines.push('## Create', '', 'Nothing to create: no index the planner would use cuts a statement\'s cost enough to pay for itself.', '');
  }
  lines.push(...topStatements(r));
  if (r.indexFindings.length) {
    lines.push('## Drop or repair', '');
    for (const f of r.indexFindings) lines.push(`- **${f.kind}** \`${f.index}\` on \`${f.table}\` (${formatBytes(f.sizeBytes)}): ${f.reason}`, `  \`${f.statement}\``);
    lines.push('');
  }
  if (r.skipped.length) {
    const byReason = new Map<string, number>();
    for (const k of r.skipped) byReason.set(k.reason, (byReason.get(k.reason) ?? 0) + 1);
    lines.push('## Not analysed', '', [...byReason].map(([reason, n]) => `${n} ${reason}`).join(', ') + '. Details in the JSON report (`skipped`).', '');
  }
  if (r.errors.length) lines.push('## Errors', '', ...r.errors.map((e) => `- **${e.stage}**: ${e.message}`), '');
  lines.push(`<sub>Time saved is estimated as calls × mean time × the planner's relative cost reduction (${formatDuration(s.timeSavedMs)} in all over the counters' interval).</sub>`, '');
  return lines.join('\n');
}

/** The heaviest statements by total time: what the workload spends its time on, advice or not. */
function topStatements(r: AdviseReport): string[] {
  const top = r.topStatements ?? [];
  if (!top.length) return [];
  const out = [`## Top statements by total time (${top.length})`, '', '| # | Query | User | Calls | Total | Mean |', '|---|---|---|---|---|---|'];
  top.forEach((t, i) => out.push(`| ${i + 1} | \`${code(t.query)}\` | ${cell(t.user)} | ${t.calls} | ${formatDuration(t.totalTimeMs)} | ${t.meanTimeMs.toFixed(2)} ms |`));
  return [...out, '', `<sub>queryid in the JSON report (\`topStatements\`); texts are normalized by pg_stat_statements and cut to ${TEXT_CUT} characters.</sub>`, ''];
}

/** A cut long enough to recognise a statement in a table row. */
const TEXT_CUT = 160;

/** Inside a table cell: one line, no pipe, and a backtick cannot close the code span early. */
function code(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return (one.length > TEXT_CUT ? `${one.slice(0, TEXT_CUT - 1)}…` : one).replace(/\|/g, '\\|').replace(/`/g, "'");
}

function cell(s: string): string {
  return s.replace(/([<>])/g, '\\$1').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
