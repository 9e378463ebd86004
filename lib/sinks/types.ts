import type { Advisor, ReportBase, ReportLocation } from '../report/types';

export interface RenderedReport {
  json: string;
  markdown: string;
  /** Self-contained HTML for people (issue 6); absent for sinks written before it existed. */
  html?: string;
}

/**
 * `advisor=X/target=T/latest.json`, rewritten after each report: the way in for people
 * (`pgsteward reports`), for the nightly digest (yesterday's report) and for the missed-run
 * watchdog (how old the newest report is) without listing the whole prefix.
 */
export interface LatestPointer {
  schemaVersion: 1;
  advisor: Advisor;
  target: string;
  runId: string;
  startedAt: string;
  /** Keys (S3) or paths (local) of the report's files, as in ReportLocation. */
  json: string;
  markdown?: string;
  html?: string;
}

/** Writes a report's files somewhere people and machines can find them. */
export interface ReportSink {
  /** Where this report will be written (known before writing, so alerts can point at it). */
  locate(report: ReportBase): ReportLocation;
  write(report: ReportBase, rendered: RenderedReport): Promise<ReportLocation>;
  /** The newest report's pointer for this advisor and target, or undefined when none was written. */
  readLatest?(advisor: Advisor, target: string): Promise<LatestPointer | undefined>;
  /** A report previously written by this sink (its JSON location as in LatestPointer.json), parsed. */
  readReport?(location: string): Promise<ReportBase | undefined>;
}
