/**
 * Markdown for people (tickets, the CLI, the S3 console's preview): the verdict first, then
 * what needs attention worst-first, then what is fine, then what changed for alerting.
 */
import { SEVERITY_RANK, Severity } from '../health/catalog';
import type { HealthReport, Notification, Report, ReportBase } from './types';
import { renderAdvise } from './markdown-advise';
import { renderPartitions } from './markdown-partitions';
import { instanceChecksLine } from './markdown-instance';

const ICON: Record<Severity, string> = { critical: '🔴', warning: '🟠', unknown: '⚪', ok: '🟢' };

export function renderMarkdown(report: Report): string {
  switch (report.advisor) {
    case 'health':
      return renderHealth(report);
    case 'advise':
      return renderAdvise(report);
    case 'partitions':
      return renderPartitions(report);
  }
}

export function renderJson(report: ReportBase): string {
  // One line per document: Athena's JSON SerDe reads one record per line.
  return `${JSON.stringify(report)}\n`;
}

function renderHealth(r: HealthReport): string {
  const lines: string[] = [];
  lines.push(`# Health of ${escape(r.target)}: ${r.summary.worst.toUpperCase()}`, '');
  lines.push(header(r), '');
  lines.push(...instanceChecksLine(r));
  const bad = r.findings.filter((f) => f.severity !== 'ok').sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
  if (bad.length) {
    lines.push('## Needs attention', '');
    for (const f of bad) {
      lines.push(`- ${ICON[f.severity]} **${f.severity}** \`${f.check}\`${f.object ? ` — ${escape(f.object)}` : ''}: ${escape(f.message)}`);
    }
    lines.push('');
  }
  const ok = r.findings.filter((f) => f.severity === 'ok');
  if (ok.length) {
    lines.push('## Fine', '', '| Check | Result |', '|---|---|');
    for (const f of ok) lines.push(`| \`${f.check}\` | ${cell(f.message)} |`);
    lines.push('');
  }
  lines.push(...notifications(r.notifications), ...errors(r));
  lines.push('', `<sub>${r.statements} statements in ${r.durationMs} ms. Thresholds and where their defaults come from: README, "Health checks".</sub>`, '');
  return lines.join('\n');
}

function header(r: ReportBase & { summary?: { counts: Record<Severity, number> } }): string {
  const server = r.server ? `${r.server.host}:${r.server.port}/${r.server.database}${r.server.version ? ` (PostgreSQL ${r.server.version}${r.server.inRecovery ? ', standby' : ''})` : ''}` : 'unknown server';
  const counts = r.summary ? ` — ${(['critical', 'warning', 'unknown', 'ok'] as Severity[]).map((s) => `${r.summary!.counts[s]} ${s}`).join(', ')}` : '';
  return `Run \`${r.runId}\` at ${r.startedAt} on ${escape(server)}${counts}.`;
}

function notifications(ns: Notification[]): string[] {
  if (!ns.length) return [];
  const out = ['## Alert changes this run', '', '| State | Severity | Check | Object | Why |', '|---|---|---|---|---|'];
  for (const n of ns) {
    out.push(`| ${n.state}${n.silenced ? ' (silenced)' : ''} | ${n.severity} | \`${n.check}\` | ${cell(n.object ?? '')} | ${n.reason} |`);
  }
  return [...out, ''];
}

function errors(r: ReportBase): string[] {
  if (!r.errors.length) return [];
  return ['## Errors', '', ...r.errors.map((e) => `- **${e.stage}**${e.check ? ` (${e.check})` : ''}: ${escape(e.message)}`), ''];
}

function escape(s: string): string {
  return s.replace(/([<>])/g, '\\$1');
}

function cell(s: string): string {
  return escape(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
