/**
 * The index advice report: where the time goes (top statements), what to create (with the
 * planner's cost before and after, and size against benefit), what to drop, what was not analysed.
 */
import { formatBytes, formatDuration } from '../../config/units';
import type { AdviseReport, IndexRecommendation, TopStatement } from '../types';
import { code, errors, figure, footer, header, Html, notifications, page, pre, section, table, txt } from './parts';
import { compact } from './format';
import { barChart, pairedBarChart } from './svg/bars';
import { scatterChart } from './svg/scatter';
import { esc } from './escape';

type Rec = IndexRecommendation & { n: number; name: string; before: number; after: number };

export function renderAdviseHtml(r: AdviseReport): string {
  const s = r.summary;
  const recs: Rec[] = r.recommendations.map((x, i) => ({
    ...x,
    n: i + 1,
    name: `${x.table} (${x.columns.map((c, k) => `${c}${x.directions?.[k] && x.directions[k] !== 'asc' ? ` ${x.directions[k].toUpperCase()}` : ''}`).join(', ')})`,
    // The workload cost the index serves: Σ calls × planner cost per statement, without and with it.
    before: x.statements.reduce((t, st) => t + st.calls * st.costBefore, 0),
    after: x.statements.reduce((t, st) => t + st.calls * st.costAfter, 0),
  }));
  const lead = `${s.analysed} statements analysed (${s.counters === 'interval' ? `counters since ${s.since}` : 'cumulative counters'}), ` +
    `${s.candidates} candidate indexes tried with ${s.whatIf === 'hypopg' ? 'HypoPG (hypothetical indexes)' : 'the trial engine (real indexes, rolled back)'} in ${s.whatIfCalls} plans; ` +
    `storage budget ${formatBytes(s.budgetBytes)}.`;
  const verdict = recs.length
    ? `${recs.length} index${recs.length > 1 ? 'es' : ''} to create (${formatBytes(s.totalSizeBytes)} in all), about ${formatDuration(s.timeSavedMs)} of execution time saved over the counters' interval.`
    : 'Nothing to create: no index the planner would use cuts a statement\'s cost enough to pay for itself.';
  const body: Html[] = [
    header(`Index advice for ${r.target}`, r, [`<p><strong>${esc(verdict)}</strong></p>`, `<p>${esc(lead)}</p>`, s.note ? `<p class="note">${esc(s.note)}</p>` : '']),
    '<main>',
    topStatements(r.topStatements ?? []),
    recs.length ? section(`Create (${recs.length})`, costChart(recs), sizeChart(recs), ...recs.map(recommendation)) : '',
    findings(r),
    skipped(r),
    notifications(r.notifications),
    errors(r),
    '</main>',
    footer(txt(`Time saved is estimated as calls × mean time × the planner's relative cost reduction; planner costs are in the planner's own units (PostgreSQL docs, "Using EXPLAIN").`)),
  ];
  return page(`Index advice for ${r.target}`, body);
}

function topStatements(top: TopStatement[]): Html {
  const svg = barChart(
    { id: 'chart-top-statements', title: 'Top statements by total execution time', description: `The ${top.length} statements that took the most execution time, heaviest first.` },
    top.map((t) => ({ label: t.query, value: t.totalTimeMs, valueLabel: `${formatDuration(t.totalTimeMs)} · ${t.calls} calls` })),
  );
  const data = table('Top statements by total execution time', [
    { head: 'Statement', text: true, cell: (t: TopStatement) => code(t.query) },
    { head: 'queryid', cell: (t) => code(t.queryid) },
    { head: 'Calls', num: true, cell: (t) => txt(t.calls) },
    { head: 'Total', num: true, cell: (t) => txt(formatDuration(t.totalTimeMs)) },
    { head: 'Mean', num: true, cell: (t) => txt(`${t.meanTimeMs.toFixed(2)} ms`) },
  ], top);
  return section('Where the time goes', figure(svg, 'Total execution time per statement over the counters\' interval.', data));
}

function costChart(recs: Rec[]): Html {
  const svg = pairedBarChart(
    { id: 'chart-cost', title: 'Planner cost before and after each recommended index', description: 'For each index, the summed planner cost (calls × cost) of the statements it serves, without and with it.' },
    { a: 'before', b: 'after' },
    recs.map((x) => ({ label: `${x.n}. ${x.name}`, a: x.before, b: x.after, aLabel: compact(x.before), bLabel: compact(x.after) })),
  );
  const data = table('Planner cost before and after', [
    { head: 'Index', cell: (x: Rec) => txt(`${x.n}. ${x.name}`) },
    { head: 'Cost before (Σ calls × cost)', num: true, cell: (x) => txt(Math.round(x.before)) },
    { head: 'Cost after', num: true, cell: (x) => txt(Math.round(x.after)) },
    { head: 'Reduction', num: true, cell: (x) => txt(x.before > 0 ? `${Math.round((1 - x.after / x.before) * 100)}%` : '') },
  ], recs);
  return figure(svg, 'Summed planner cost of the statements each index serves, before and after.', data);
}

function sizeChart(recs: Rec[]): Html {
  const svg = scatterChart(
    { id: 'chart-size-benefit', title: 'Index size versus benefit', description: 'Each numbered point is a recommended index: its size on disk across, its benefit up. Up and left is best.' },
    { x: { title: 'size on disk', format: formatBytes }, y: { title: 'benefit (planner cost units)', format: compact } },
    recs.map((x) => ({ label: String(x.n), x: x.sizeBytes, y: x.benefit })),
  );
  const data = table('Index size and benefit', [
    { head: 'Index', cell: (x: Rec) => txt(`${x.n}. ${x.name}`) },
    { head: 'Size', num: true, cell: (x) => txt(formatBytes(x.sizeBytes)) },
    { head: 'Benefit', num: true, cell: (x) => txt(Math.round(x.benefit)) },
    { head: 'Time saved', num: true, cell: (x) => txt(formatDuration(x.timeSavedMs)) },
    { head: 'Write overhead', num: true, cell: (x) => txt(Math.round(x.writeOverhead)) },
  ], recs);
  return figure(svg, 'Benefit (Σ calls × planner-cost reduction, net of write overhead) against size on disk.', data);
}

function recommendation(x: Rec): Html {
  const statements = table(`Statements index ${x.n} serves`, [
    { head: 'queryid', cell: (st: IndexRecommendation['statements'][number]) => code(st.queryid) },
    { head: 'Calls', num: true, cell: (st) => txt(st.calls) },
    { head: 'Cost before', num: true, cell: (st) => txt(st.costBefore) },
    { head: 'Cost after', num: true, cell: (st) => txt(st.costAfter) },
    { head: 'Estimate', cell: (st) => txt(st.estimate) },
  ], x.statements);
  return `<article><h3>${esc(`${x.n}. ${x.name}`)}</h3><p>${esc(x.explanation)}</p>${statements}${pre(x.statement)}</article>`;
}

function findings(r: AdviseReport): Html {
  if (!r.indexFindings.length) return '';
  type F = AdviseReport['indexFindings'][number];
  return section('Drop or repair', table('Existing indexes to drop or repair', [
    { head: 'Index', cell: (f: F) => code(f.index) },
    { head: 'Kind', cell: (f) => txt(f.kind) },
    { head: 'Table', cell: (f) => code(f.table) },
    { head: 'Size', num: true, cell: (f) => txt(formatBytes(f.sizeBytes)) },
    { head: 'Why', cell: (f) => txt(f.reason) },
    { head: 'Statement', text: true, cell: (f) => code(f.statement) },
  ], r.indexFindings));
}

function skipped(r: AdviseReport): Html {
  if (!r.skipped.length) return '';
  const byReason = new Map<string, number>();
  for (const k of r.skipped) byReason.set(k.reason, (byReason.get(k.reason) ?? 0) + 1);
  return section('Not analysed', table('Statements not analysed, by reason', [
    { head: 'Reason', cell: (e: [string, number]) => txt(e[0]) },
    { head: 'Statements', num: true, cell: (e) => txt(e[1]) },
  ], [...byReason]), '<p>Each statement and its detail are in the JSON report (<code>skipped</code>).</p>');
}
