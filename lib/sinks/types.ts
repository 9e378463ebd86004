import type { Advisor, Report, ReportBase, ReportLocation } from '../report/types';

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
  /**
   * Keys of the report's files relative to the sink's root (the S3 prefix, or the --out
   * directory), e.g. `advisor=health/target=app/dt=2024-06-01/20240601T100000Z-<runId>.json`:
   * the same in a bucket and in a synced copy of it. Pass them to readReport().
   */
  json: string;
  markdown?: string;
  html?: string;
}

export interface LatestFilter {
  advisors?: Advisor[];
  targets?: string[];
}

/** Writes a report's files somewhere people and machines can find them. */
export interface ReportSink {
  /** Where this report will be written (known before writing, so alerts can point at it). `html: false` when none will be. */
  locate(report: ReportBase, opts?: { html?: boolean }): ReportLocation;
  write(report: ReportBase, rendered: RenderedReport): Promise<ReportLocation>;
  /**
   * After a successful write: the latest pointer, and the target's history.json + index.html.
   * Separate from write() so that its failure is a report error, never a lost report or alert.
   */
  updateLatest?(report: Report, hasHtml: boolean): Promise<void>;
  /** The newest report's pointer for this advisor and target, or undefined when none was written. */
  readLatest?(advisor: Advisor, target: string): Promise<LatestPointer | undefined>;
  /**
   * A report previously written by this sink, parsed, or undefined when it is not there.
   * `location`: a key as in LatestPointer.json; also accepted: what ReportLocation.json holds
   * (s3://bucket/key for S3, an absolute path for a directory).
   */
  readReport?(location: string): Promise<ReportBase | undefined>;
  /** Every latest pointer (optionally only these advisors / targets), by advisor then target. */
  listLatest?(filter?: LatestFilter): Promise<LatestPointer[]>;
}
