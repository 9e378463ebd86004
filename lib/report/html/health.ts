/**
 * The health report: the verdict, a check × severity grid (how many findings of each severity
 * each check raised), what needs attention worst first, what is fine, alert changes, errors.
 */
import { SEVERITY_RANK, Severity } from '../../health/catalog';
import type { Finding } from '../../health/finding';
import type { HealthReport } from '../types';
import { errors, figure, footer, header, Html, notifications, page, section, sev, table, code, txt } from './parts';
import { gridChart } from './svg/grid';

/** Left to right from good to bad, as people scan. */
const SEVERITIES: Severity[] = ['ok', 'unknown', 'warning', 'critical'];

export function renderHealthHtml(r: HealthReport): string {
  const counts = SEVERITIES.map((s) => `${r.summary.counts[s] ?? 0} ${s}`).join(', ');
  const bad = r.findings.filter((f) => f.severity !== 'ok').sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
  const ok = r.findings.filter((f) => f.severity === 'ok');
  const body: Html[] = [
    header(`Health of ${r.target}: ${r.summary.worst.toUpperCase()}`, r, [`<p>Worst: ${sev(r.summary.worst)} — ${txt(counts)}.</p>`]),
    '<main>',
    section('Checks at a glance', grid(r.findings)),
    section('Needs attention', bad.length ? findingsTable('Findings that are not ok, worst first', bad) : ''),
    section('Fine', ok.length ? findingsTable('Checks that passed', ok) : ''),
    notifications(r.notifications),
    errors(r),
    '</main>',
    footer(txt(`${r.statements} statements sent to the database. Thresholds and where their defaults come from: README, "Health checks".`)),
  ];
  return page(`Health of ${r.target}: ${r.summary.worst}`, body);
}

function grid(findings: Finding[]): Html {
  const byCheck = new Map<string, Record<string, number>>();
  for (const f of findings) {
    const c = byCheck.get(f.check) ?? {};
    c[f.severity] = (c[f.severity] ?? 0) + 1;
    byCheck.set(f.check, c);
  }
  // Worst checks first, then by name: the eye lands on what matters.
  const worst = (c: Record<string, number>) => Math.max(...SEVERITIES.filter((s) => c[s]).map((s) => SEVERITY_RANK[s]));
  const rows = [...byCheck].sort(([a, x], [b, y]) => worst(y) - worst(x) || a.localeCompare(b)).map(([label, counts]) => ({ label, counts }));
  const svg = gridChart(
    { id: 'chart-health-grid', title: 'Findings per check and severity', description: `${rows.length} checks; each cell counts the findings of that severity. Columns: ${SEVERITIES.join(', ')}.` },
    SEVERITIES.map((s) => ({ key: s, label: s })),
    rows,
  );
  const data = table('Findings per check and severity', [
    { head: 'Check', cell: (r: (typeof rows)[number]) => code(r.label) },
    ...SEVERITIES.map((s) => ({ head: s, num: true, cell: (r: (typeof rows)[number]) => txt(r.counts[s] ?? 0) })),
  ], rows);
  return figure(svg, 'Each row is a check, each column a severity; the number is how many findings it raised.', data);
}

function findingsTable(caption: string, fs: Finding[]): Html {
  return table(caption, [
    { head: 'Check', cell: (f: Finding) => code(f.check) },
    { head: 'Severity', cell: (f) => sev(f.severity) },
    // What a person reads first, before the object and the number it is about.
    { head: 'Message', text: true, cell: (f) => txt(f.message) },
    { head: 'Object', cell: (f) => txt(f.object ?? '') },
    { head: 'Value', num: true, cell: (f) => txt(f.value === undefined ? '' : `${f.value}${f.threshold !== undefined ? ` (threshold ${f.threshold})` : ''}`) },
  ], fs);
}
