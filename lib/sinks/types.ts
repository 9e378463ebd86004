import type { ReportBase, ReportLocation } from '../report/types';

export interface RenderedReport {
  json: string;
  markdown: string;
}

/** Writes a report's files somewhere people and machines can find them. */
export interface ReportSink {
  /** Where this report will be written (known before writing, so alerts can point at it). */
  locate(report: ReportBase): ReportLocation;
  write(report: ReportBase, rendered: RenderedReport): Promise<ReportLocation>;
}
