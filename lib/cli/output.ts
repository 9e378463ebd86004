/**
 * What the CLI writes: one JSON document on stdout with --json, and everything for people
 * (summaries, alerts without a topic, logs) on stderr, coloured only on a terminal that wants it
 * (https://no-color.org).
 */
import { SEVERITY_RANK, Severity } from '../health/catalog';
import type { Logger } from '../log';
import type { HealthReport, Report } from '../report/types';

export interface Streams {
  out: (s: string) => void;
  err: (s: string) => void;
  color: boolean;
}

export function processStreams(): Streams {
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    color: !!process.stderr.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb',
  };
}

const COLORS: Record<Severity, string> = { critical: '\x1b[31m', warning: '\x1b[33m', unknown: '\x1b[90m', ok: '\x1b[32m' };

export function paint(streams: Streams, severity: Severity, text: string): string {
  return streams.color ? `${COLORS[severity]}${text}\x1b[0m` : text;
}

/** The JSON document for --json: the report, or {reports} when the run covered several targets. */
export function jsonDocument(reports: Report[], several: boolean): string {
  return `${JSON.stringify(several ? { reports } : reports[0], null, 2)}\n`;
}

export function healthSummary(r: HealthReport, streams: Streams): string {
  const c = r.summary.counts;
  const lines = [`${r.target}: ${paint(streams, r.summary.worst, r.summary.worst.toUpperCase())} — ${c.critical} critical, ${c.warning} warning, ${c.unknown} unknown, ${c.ok} ok (${r.statements} statements, ${r.durationMs} ms)`];
  const bad = r.findings.filter((f) => f.severity !== 'ok').sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
  for (const f of bad) lines.push(`  ${paint(streams, f.severity, f.severity.padEnd(8))} ${f.check}${f.object ? ` [${f.object}]` : ''}: ${f.message}`);
  for (const e of r.errors.filter((x) => x.stage !== 'connect')) lines.push(`  error (${e.stage}): ${e.message}`);
  if (r.location?.markdown) lines.push(`  report: ${r.location.markdown}`);
  return `${lines.join('\n')}\n`;
}

export function stderrLogger(streams: Streams, verbose = false): Logger {
  const write = (level: string) => (message: string, ...extra: Record<string, unknown>[]) =>
    streams.err(`pgsteward ${level}: ${message}${extra.length ? ` ${JSON.stringify(Object.assign({}, ...extra))}` : ''}\n`);
  return { debug: verbose ? write('debug') : () => undefined, info: verbose ? write('info') : () => undefined, warn: write('warning'), error: write('error') };
}
