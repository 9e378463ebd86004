/**
 * Where reports live, the same under an S3 prefix and under `--out DIR`: Hive-style partitions
 * (advisor=…/target=…/dt=YYYY-MM-DD/) so Athena or Glue can query years of reports by date
 * without listing everything, and one JSON document per line, which Athena's JSON SerDe needs.
 *
 * Beside them, for people and for other runs (all keys relative to the prefix or the directory):
 *   advisor=X/target=T/latest.json   the newest report's pointer (outside every dt= partition)
 *   targets/T/history.json           the last reports of every advisor on T (what index.html shows)
 *   targets/T/index.html             that history as a page, linking to the reports relatively
 * `targets/` sits outside the `advisor=` tree, so a table over advisor=/target=/dt= never reads it.
 */
import type { Advisor, ReportBase } from '../report/types';

export type ReportFormat = 'json' | 'md' | 'html';

export function reportKey(report: Pick<ReportBase, 'advisor' | 'target' | 'startedAt' | 'runId'>, format: ReportFormat): string {
  const date = report.startedAt.slice(0, 10);
  const time = report.startedAt.slice(11, 19).replace(/:/g, '');
  return `${reportFolder(report.advisor, report.target)}dt=${date}/${date.replace(/-/g, '')}T${time}Z-${report.runId}.${format}`;
}

/** `advisor=X/target=T/`: every dated folder of one advisor on one target. */
export function reportFolder(advisor: Advisor, target: string): string {
  return `advisor=${advisor}/target=${encodeSegment(target)}/`;
}

export function latestKey(advisor: Advisor, target: string): string {
  return `${reportFolder(advisor, target)}latest.json`;
}

export function targetFolder(target: string): string {
  return `targets/${encodeSegment(target)}/`;
}

export function historyKey(target: string): string {
  return `${targetFolder(target)}history.json`;
}

export function indexKey(target: string): string {
  return `${targetFolder(target)}index.html`;
}

/** A link from `targets/T/index.html` to a key under the same root: works on disk, when synced, and in S3 website-style hosting. */
export function linkFromIndex(key: string): string {
  // `=` is a legal path character (RFC 3986 sub-delims): keep `advisor=health` readable.
  return `../../${key.split('/').map((s) => encodeURIComponent(s).replace(/%3D/g, '=')).join('/')}`;
}

/** Target ids are already restricted to [A-Za-z0-9_.-]; encode anyway so a key never gains a level. */
export function encodeSegment(s: string): string {
  return encodeURIComponent(s).replace(/%/g, '_');
}
