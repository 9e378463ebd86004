/**
 * After a report is written: its latest pointer and its target's history page. Shared by both
 * sinks, which give a compare-and-swap document store (the alert state stores: S3 conditional
 * writes with If-Match / If-None-Match, or a lock file in a directory) and a plain text writer.
 *
 * Why compare-and-swap rather than rebuilding from a listing: a listing of 288 health reports a
 * day is many LIST pages per run and grows with retention, while the history is one small GET and
 * PUT; runs of different advisors on the same target (health every 5 minutes, partitions hourly)
 * do overlap, so the history is updated only if it is still the version read, else re-read and
 * re-merged (S3 answers 412 PreconditionFailed or 409 ConditionalRequestConflict; S3 User Guide,
 * "Conditional requests"). index.html is then rendered from the document just stored; when two
 * runs race, the page may lag the document by one run until the next run rewrites it.
 */
import type { StateStore } from '../alert/state-store';
import { StateConflictError } from '../alert/state-store';
import type { Report } from '../report/types';
import { historyEntry, mergeHistory, TargetHistory } from './history';
import { IndexLinks, renderIndexHtml } from './history-html';
import { historyKey, indexKey, latestKey, reportKey } from './layout';
import type { LatestPointer } from './types';

/** Five tries with jittered pauses cover a handful of advisors finishing in the same second. */
const MAX_TRIES = 5;
const BACKOFF_MS = 40;

export interface CatalogIo {
  /** Documents by key relative to the root, without `.json` (the stores add it). */
  docs: StateStore;
  writeText(key: string, body: string, contentType: string): Promise<void>;
  links?: IndexLinks;
  now: () => Date;
}

export function latestPointer(report: Report, hasHtml: boolean): LatestPointer {
  return {
    schemaVersion: 1,
    advisor: report.advisor,
    target: report.target,
    runId: report.runId,
    startedAt: report.startedAt,
    json: reportKey(report, 'json'),
    markdown: reportKey(report, 'md'),
    ...(hasHtml ? { html: reportKey(report, 'html') } : {}),
  };
}

export async function updateCatalog(io: CatalogIo, report: Report, hasHtml: boolean): Promise<void> {
  // The pointer only moves forward: an overlapping older run finishing late leaves it alone.
  await compareAndSwap(io.docs, stripJson(latestKey(report.advisor, report.target)), (current) => {
    const cur = current as Partial<LatestPointer> | undefined;
    if (cur && typeof cur.startedAt === 'string' && cur.startedAt > report.startedAt) return undefined;
    return latestPointer(report, hasHtml);
  });
  const history = await compareAndSwap(io.docs, stripJson(historyKey(report.target)), (current) =>
    mergeHistory(current, report.target, historyEntry(report, hasHtml), io.now()));
  if (history) await io.writeText(indexKey(report.target), renderIndexHtml(history as TargetHistory, io.links), 'text/html; charset=utf-8');
}

/** Load, compute, save if unchanged; `next` returning undefined means "leave it". Returns what was saved. */
export async function compareAndSwap<T>(store: StateStore, name: string, next: (current: unknown) => T | undefined): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    const { doc, version } = await store.load(name);
    const value = next(doc);
    if (value === undefined) return undefined;
    try {
      await store.save(name, value, version);
      return value;
    } catch (err) {
      if (!(err instanceof StateConflictError) || attempt >= MAX_TRIES) throw err;
      await new Promise((r) => setTimeout(r, BACKOFF_MS * attempt * (0.5 + Math.random())));
    }
  }
}

function stripJson(key: string): string {
  return key.replace(/\.json$/, '');
}
