/**
 * Where reports live, the same under an S3 prefix and under `--out DIR`: Hive-style partitions
 * (advisor=…/target=…/dt=YYYY-MM-DD/) so Athena or Glue can query years of reports by date
 * without listing everything, and one JSON document per line, which Athena's JSON SerDe needs.
 */
import type { ReportBase } from '../report/types';

export type ReportFormat = 'json' | 'md';

export function reportKey(report: Pick<ReportBase, 'advisor' | 'target' | 'startedAt' | 'runId'>, format: ReportFormat): string {
  const date = report.startedAt.slice(0, 10);
  const time = report.startedAt.slice(11, 19).replace(/:/g, '');
  return `advisor=${report.advisor}/target=${encodeSegment(report.target)}/dt=${date}/${date.replace(/-/g, '')}T${time}Z-${report.runId}.${format}`;
}

/** Target ids are already restricted to [A-Za-z0-9_.-]; encode anyway so a key never gains a level. */
function encodeSegment(s: string): string {
  return encodeURIComponent(s).replace(/%/g, '_');
}
