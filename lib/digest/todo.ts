/**
 * The three things to do first. Order: invalid indexes (broken: written on every insert, never
 * read, usually a failed CREATE INDEX CONCURRENTLY that must be redone), then indexes to create
 * by measured time saved (the advisor's figure people can check), then indexes to drop —
 * duplicate and redundant before unused, whose "unused" rests on statistics that a reset or a
 * replica may contradict (see the finding's caveats). Pure.
 */
import { formatBytes, formatDuration } from '../config/units';
import type { AdviseReport, IndexRecommendation } from '../report/types';
import type { TodoItem } from './types';

export const TODO_FIRST = 3;

const FINDING_ORDER = { invalid: 0, duplicate: 2, redundant: 3, unused: 4 } as const;

export function thingsToDo(report: AdviseReport): TodoItem[] {
  const texts = new Map((report.topStatements ?? []).map((s) => [s.queryid, s.query]));
  const ranked: { rank: number; weight: number; item: TodoItem }[] = [
    ...report.recommendations.map((r) => ({ rank: 1, weight: r.timeSavedMs || r.benefit, item: createItem(r, texts) })),
    ...report.indexFindings.map((f) => ({
      rank: FINDING_ORDER[f.kind],
      weight: f.sizeBytes,
      item: {
        kind: f.kind,
        title: f.kind === 'invalid' ? `Rebuild the invalid index ${f.index} on ${f.table}` : `Drop the ${f.kind} index ${f.index} on ${f.table}`,
        why: `${f.reason} (${formatBytes(f.sizeBytes)})`,
        sql: f.statement,
      },
    })),
  ];
  return ranked.sort((a, b) => a.rank - b.rank || b.weight - a.weight).map((x) => x.item);
}

function createItem(r: IndexRecommendation, texts: Map<string, string>): TodoItem {
  const cols = r.columns.map((c, i) => (r.directions?.[i] && r.directions[i] !== 'asc' ? `${c} ${r.directions[i]}` : c)).join(', ');
  const calls = r.statements.reduce((s, x) => s + x.calls, 0);
  // The statement that gains most is the one to recognise it by.
  const heaviest = [...r.statements].sort((a, b) => b.calls * (b.costBefore - b.costAfter) - a.calls * (a.costBefore - a.costAfter))[0];
  const text = heaviest && texts.get(heaviest.queryid);
  return {
    kind: 'create',
    title: `Create an index on ${r.table} (${cols})`,
    why: `Saves about ${formatDuration(r.timeSavedMs)} of execution over the measured interval for ${r.statements.length} statement(s), ${calls} calls; ${formatBytes(r.sizeBytes)} on disk.`,
    sql: r.statement,
    ...(text ? { forStatement: text } : {}),
  };
}
