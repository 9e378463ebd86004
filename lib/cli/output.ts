/**
 * What the CLI writes: one JSON document on stdout with --json, and everything for people
 * (summaries, alerts without a topic, logs) on stderr, coloured only on a terminal that wants it
 * (https://no-color.org).
 */
import { SEVERITY_RANK, Severity } from '../health/catalog';
import type { Logger } from '../log';
import type { HealthReport, Report } from '../report/types';
import { colorEnabled, headline, paintWith, reportLines } from './tty';

export interface Streams {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Colour on stderr (see tty.ts for NO_COLOR / FORCE_COLOR). */
  color: boolean;
  /** stderr is a terminal: progress may rewrite its line. */
  tty?: boolean;
  columns?: number;
}

export function processStreams(): Streams {
  const tty = !!process.stderr.isTTY;
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    color: colorEnabled(process.env, tty),
    tty,
    columns: process.stderr.columns,
  };
}

export function paint(streams: Streams, severity: Severity, text: string): string {
  return paintWith(streams.color, severity, text);
}

/** The JSON document for --json: the report, or {reports} when the run covered several targets. */
export function jsonDocument(reports: Report[], several: boolean): string {
  return `${JSON.stringify(several ? { reports } : reports[0], null, 2)}\n`;
}

export function healthSummary(r: HealthReport, streams: Streams): string {
  const lines = [headline(r, streams.color)];
  const bad = r.findings.filter((f) => f.severity !== 'ok').sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
  for (const f of bad) lines.push(`  ${paint(streams, f.severity, f.severity.padEnd(8))} ${f.check}${f.object ? ` [${f.object}]` : ''}: ${f.message}`);
  for (const e of r.errors.filter((x) => x.stage !== 'connect')) lines.push(`  error (${e.stage}): ${e.message}`);
  lines.push(...reportLines(r, streams.color));
  return `${lines.join('\n')}\n`;
}

/** The verdict line, then the advisor's own lines, then where the report is: the same shape for every advisor. */
export function summaryWith(r: Report, streams: Streams, details: string[]): string {
  return `${[headline(r, streams.color), ...details, ...reportLines(r, streams.color)].join('\n')}\n`;
}

export function stderrLogger(streams: Streams, verbose = false): Logger {
  const write = (level: string) => (message: string, ...extra: Record<string, unknown>[]) =>
    streams.err(`pgsteward ${level}: ${message}${extra.length ? ` ${JSON.stringify(Object.assign({}, ...extra))}` : ''}\n`);
  return { debug: verbose ? write('debug') : () => undefined, info: verbose ? write('info') : () => undefined, warn: write('warning'), error: write('error') };
}
