/**
 * The partitions report: per table what happened, a timeline of each table's partitions (past
 * retention, past, holding now, premade), findings worst first, and every action with its SQL.
 */
import { SEVERITY_RANK } from '../../health/catalog';
import type { PartitionAction, PartitionFinding, PartitionsReport, PartitionTableResult } from '../types';
import { code, errors, figure, footer, header, Html, notifications, page, pre, section, sev, table, txt } from './parts';
import { esc } from './escape';
import { Lane, SEGMENT_WORDS, SegmentKind, timelineChart } from './svg/timeline';

type Part = PartitionsReport['partitions'][number] & { status: string };

export function renderPartitionsHtml(r: PartitionsReport): string {
  const s = r.summary;
  const title = `Partitions of ${r.target}${r.dryRun ? ' (dry run: nothing changed)' : ''}`;
  const lead = `${s.tables} table(s), ${s.failed} failed, ${s.skipped} skipped; ${s.created} partition(s) ${r.dryRun ? 'to create' : 'created'}, ${s.retired} ${r.dryRun ? 'to retire' : 'retired'}.`;
  const { lanes, parts } = timeline(r);
  const partsTable = table<Part>(`Partitions ${r.dryRun ? 'now' : 'after the run'}`, [
    { head: 'Partition', cell: (p) => code(p.partition) },
    { head: 'Table', cell: (p) => code(p.table) },
    { head: 'From', cell: (p) => txt(p.from ?? 'MINVALUE') },
    { head: 'To', cell: (p) => txt(p.from === 'DEFAULT' ? '' : p.to ?? 'MAXVALUE') },
    { head: 'Status', cell: (p) => txt(p.status) },
  ], parts);
  const svg = timelineChart({ id: 'chart-timeline', title: 'Partition coverage per table', description: `${lanes.length} table(s), one lane each: partitions past retention, past, holding now and premade for the future, with the retention cut-off and now marked.` }, lanes);
  const body: Html[] = [
    header(title, r, [`<p>${esc(lead)}</p>`]),
    '<main>',
    section('Tables', tablesTable(r.tables)),
    section('Findings', findingsTable(r.findings)),
    section(`Partitions ${r.dryRun ? 'now' : 'after the run'}`, svg ? figure(svg, 'Each lane is a table; each block a partition along its key.', partsTable) : parts.length ? partsTable : ''),
    section(r.dryRun ? 'Plan' : 'Actions', actions(r.actions) || '<p>Nothing to do: every table has its partitions and nothing is past retention.</p>'),
    notifications(r.notifications),
    errors(r),
    '</main>',
    footer(txt(`${r.statements} statements sent to the database.`)),
  ];
  return page(title, body);
}

function tablesTable(ts: PartitionTableResult[]): Html {
  if (!ts.length) return '';
  return table('What happened to each table', [
    { head: 'Table', cell: (t: PartitionTableResult) => code(t.table) },
    { head: 'Status', cell: (t) => sev(t.status === 'ok' ? 'ok' : t.status === 'failed' ? 'critical' : 'warning', t.status) },
    { head: 'Before', num: true, cell: (t) => txt(t.partitionsBefore) },
    { head: 'After', num: true, cell: (t) => txt(t.partitionsAfter) },
    { head: 'Note', cell: (t) => txt(t.error ?? (t.consecutiveFailures && t.consecutiveFailures > 1 ? `failed ${t.consecutiveFailures} runs in a row` : '')) },
  ], ts);
}

function findingsTable(fs: PartitionFinding[]): Html {
  if (!fs.length) return '';
  const sorted = [...fs].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
  return table('Findings, worst first', [
    { head: 'Check', cell: (f: PartitionFinding) => code(f.check) },
    { head: 'Severity', cell: (f) => sev(f.severity) },
    { head: 'Table', cell: (f) => code(f.table) },
    { head: 'Message', text: true, cell: (f) => txt(f.message) },
  ], sorted);
}

function actions(as: PartitionAction[]): Html {
  if (!as.length) return '';
  return table('Each step in the order it ran, with its SQL', [
    { head: 'Partition', cell: (a: PartitionAction) => code(a.partition) },
    { head: 'Action', cell: (a) => txt(a.action) },
    { head: 'Table', cell: (a) => code(a.table) },
    { head: 'Status', cell: (a) => txt(`${a.status}${a.error ? `: ${a.error}` : ''}`) },
    { head: 'Time', num: true, cell: (a) => txt(a.status === 'done' || a.status === 'failed' ? `${a.durationMs} ms${a.attempts && a.attempts > 1 ? ` (${a.attempts} attempts)` : ''}` : '') },
    { head: 'SQL', cell: (a) => (a.sql ? `<details><summary>SQL</summary>${pre(a.sql)}</details>` : '') },
  ], as);
}

/**
 * Lanes from the report's comparable keys (µs since the epoch for time keys, the id for id keys).
 * Time tables share one domain so their "now" lines align; id tables each get their own.
 */
function timeline(r: PartitionsReport): { lanes: Lane[]; parts: Part[] } {
  const parts: Part[] = r.partitions.map((p) => ({ ...p, status: p.from === 'DEFAULT' ? 'default' : '' }));
  const lanes: Lane[] = [];
  const timeLanes: Lane[] = [];
  const timeDomain: [number, number] = [Infinity, -Infinity];
  for (const t of r.tables) {
    const axis = t.axis;
    if (!axis) continue;
    const now = num(axis.now);
    const cut = num(axis.retentionCutoff);
    const mine = parts.filter((p) => p.table === t.table && p.from !== 'DEFAULT' && (p.fromKey != null || p.toKey != null));
    if (!mine.length) continue;
    const finite = mine.flatMap((p) => [num(p.fromKey), num(p.toKey)]).filter((v): v is number => v !== null);
    const lo = Math.min(...finite, ...(cut !== null ? [cut] : []), ...(now !== null ? [now] : []));
    const hi = Math.max(...finite, ...(now !== null ? [now] : []));
    const segments = mine.map((p) => {
      const from = num(p.fromKey) ?? lo;
      const to = num(p.toKey) ?? hi;
      const kind: SegmentKind = cut !== null && to <= cut ? 'expired' : now === null || to <= now ? 'past' : from <= now ? 'current' : 'future';
      p.status = SEGMENT_WORDS[kind];
      return { from, to, kind, label: `${p.partition}: ${p.from ?? 'MINVALUE'} to ${p.to ?? 'MAXVALUE'}` };
    });
    const markers = [
      ...(cut !== null ? [{ at: cut, kind: 'cutoff' as const, label: 'retention cut-off' }] : []),
      ...(now !== null ? [{ at: now, kind: 'now' as const, label: axis.kind === 'id' ? 'largest id' : 'now' }] : []),
    ];
    if (axis.kind === 'time') {
      timeDomain[0] = Math.min(timeDomain[0], lo);
      timeDomain[1] = Math.max(timeDomain[1], hi);
    }
    const lane: Lane = { label: t.table, domain: [lo, hi], format: (v) => String(Math.round(v)), segments, markers };
    lanes.push(lane);
    if (axis.kind === 'time') timeLanes.push(lane);
  }
  for (const l of timeLanes) {
    l.domain = timeDomain;
    l.format = timeFormat(timeDomain[1] - timeDomain[0]);
  }
  return { lanes, parts };
}

const DAY_US = 86_400e6;

/** Dates alone over a few days; with the time of day below (UTC: keys count a wall clock as UTC). */
function timeFormat(spanUs: number): (v: number) => string {
  return (v) => {
    const iso = new Date(v / 1000).toISOString();
    return spanUs >= 3 * DAY_US ? iso.slice(0, 10) : `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  };
}

function num(v: string | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
