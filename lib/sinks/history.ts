/**
 * The history of one target: the last reports of each advisor, newest first, as a small JSON
 * document (`targets/T/history.json`) that index.html is rendered from. Pure.
 *
 * Bounded: health runs every 5 minutes (288 reports a day), so each advisor keeps its last
 * HISTORY_PER_ADVISOR entries; older reports stay in the dated folders (advisor=X/target=T/dt=…/)
 * and the page says so.
 */
import type { Severity } from '../health/catalog';
import type { Advisor, Report } from '../report/types';
import { verdict } from '../report/verdict';
import { reportKey } from './layout';

/** 50 health runs ≈ 4 hours at the default 5-minute schedule; 50 nights of advice; 50 hours of partitions. */
export const HISTORY_PER_ADVISOR = 50;

export interface HistoryEntry {
  advisor: Advisor;
  runId: string;
  startedAt: string;
  durationMs: number;
  severity: Severity;
  verdict: string;
  /** Keys relative to the sink's root (the S3 prefix or the --out directory). */
  json: string;
  markdown: string;
  html?: string;
}

export interface TargetHistory {
  schemaVersion: 1;
  target: string;
  updatedAt: string;
  entries: HistoryEntry[];
}

export function historyEntry(report: Report, hasHtml: boolean): HistoryEntry {
  const v = verdict(report);
  return {
    advisor: report.advisor,
    runId: report.runId,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    severity: v.severity,
    verdict: `${v.text} (${v.scope})`,
    json: reportKey(report, 'json'),
    markdown: reportKey(report, 'md'),
    ...(hasHtml ? { html: reportKey(report, 'html') } : {}),
  };
}

/** Adds (or replaces, for a rewritten report) an entry; newest first; at most `perAdvisor` per advisor. */
export function mergeHistory(current: unknown, target: string, entry: HistoryEntry, now: Date, perAdvisor = HISTORY_PER_ADVISOR): TargetHistory {
  const previous = isHistory(current, target) ? current.entries.filter((e) => !(e.advisor === entry.advisor && e.runId === entry.runId)) : [];
  const all = [entry, ...previous].sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  const kept = new Map<Advisor, number>();
  const entries = all.filter((e) => {
    const n = (kept.get(e.advisor) ?? 0) + 1;
    kept.set(e.advisor, n);
    return n <= perAdvisor;
  });
  return { schemaVersion: 1, target, updatedAt: now.toISOString(), entries };
}

/** A document we cannot read (another version, hand-edited, truncated) is started afresh rather than failing every run. */
function isHistory(doc: unknown, target: string): doc is TargetHistory {
  const d = doc as TargetHistory;
  return !!d && typeof d === 'object' && d.schemaVersion === 1 && d.target === target && Array.isArray(d.entries)
    && d.entries.every((e) => e && typeof e.startedAt === 'string' && typeof e.json === 'string' && typeof e.advisor === 'string');
}
