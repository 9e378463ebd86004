/**
 * Markdown for the partition maintainer: per table what happened, then findings worst-first,
 * then every action with its exact SQL (a dry run's plan reads the same way), then the
 * partitions each table has after the run.
 */
import { SEVERITY_RANK } from '../health/catalog';
import type { PartitionsReport } from './types';

const STATUS_ICON = { ok: '🟢', failed: '🔴', skipped: '🟠' } as const;

export function renderPartitions(r: PartitionsReport): string {
  const s = r.summary;
  const lines: string[] = [`# Partitions of ${r.target}${r.dryRun ? ' (dry run: nothing changed)' : ''}`, ''];
  lines.push(`Run \`${r.runId}\` at ${r.startedAt}: ${s.tables} table(s), ${s.failed} failed, ${s.skipped} skipped; ` +
    `${s.created} partition(s) ${r.dryRun ? 'to create' : 'created'}, ${s.retired} ${r.dryRun ? 'to retire' : 'retired'} in ${r.durationMs} ms.`, '');
  if (r.tables.length) {
    lines.push('| Table | Status | Partitions before | After | Note |', '|---|---|---|---|---|');
    for (const t of r.tables) {
      const note = t.error ?? (t.consecutiveFailures && t.consecutiveFailures > 1 ? `failed ${t.consecutiveFailures} runs in a row` : '');
      lines.push(`| \`${t.table}\` | ${STATUS_ICON[t.status]} ${t.status} | ${t.partitionsBefore} | ${t.partitionsAfter} | ${cell(note)} |`);
    }
    lines.push('');
  }
  lines.push(...coverage(r));
  const findings = [...r.findings].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
  if (findings.length) {
    lines.push('## Findings', '');
    for (const f of findings) lines.push(`- **${f.severity}** \`${f.check}\` — ${escape(f.message)}`);
    lines.push('');
  }
  if (r.actions.length) {
    lines.push(`## ${r.dryRun ? 'Plan' : 'Actions'}`, '');
    for (const a of r.actions) {
      lines.push(`- **${a.action}** \`${a.partition}\` of \`${a.table}\`: ${a.status}${a.status === 'done' || a.status === 'failed' ? ` in ${a.durationMs} ms${a.attempts && a.attempts > 1 ? ` (${a.attempts} attempts)` : ''}` : ''}${a.error ? ` — ${escape(a.error)}` : ''}`);
      if (a.sql) lines.push('', '  ```sql', ...a.sql.split('\n').map((l) => `  ${l}`), '  ```', '');
    }
    lines.push('');
  } else {
    lines.push('Nothing to do: every table has its partitions and nothing is past retention.', '');
  }
  if (r.partitions.length) {
    lines.push(`## Partitions ${r.dryRun ? 'now' : 'after the run'}`, '', '| Table | Partition | From | To |', '|---|---|---|---|');
    for (const p of r.partitions) lines.push(`| \`${p.table}\` | \`${p.partition}\` | ${p.from ?? 'MINVALUE'} | ${p.from === 'DEFAULT' ? '' : p.to ?? 'MAXVALUE'} |`);
    lines.push('');
  }
  if (r.errors.length) lines.push('## Errors', '', ...r.errors.map((e) => `- **${e.stage}**: ${escape(e.message)}`), '');
  return lines.join('\n');
}

type Part = PartitionsReport['partitions'][number];

/**
 * Per table: how far back and how far ahead it is covered. "Ahead" counts the partitions that
 * start after now on the table's key axis (what `premake` asks for), using the comparable keys.
 */
function coverage(r: PartitionsReport): string[] {
  const byTable = new Map<string, Part[]>();
  for (const p of r.partitions) if (p.from !== 'DEFAULT') byTable.set(p.table, [...(byTable.get(p.table) ?? []), p]);
  if (!byTable.size) return [];
  const out = ['## Coverage', '', '| Table | Partitions | Oldest from | Newest bound | Premade ahead of now | Default |', '|---|---|---|---|---|---|'];
  for (const [table, parts] of byTable) {
    const key = (k: string | null | undefined, missing: bigint) => (k == null || !/^-?\d+$/.test(k) ? missing : BigInt(k));
    const oldest = parts.reduce((a, b) => (key(b.fromKey, -(2n ** 80n)) < key(a.fromKey, -(2n ** 80n)) ? b : a));
    const newest = parts.reduce((a, b) => (key(b.toKey, 2n ** 80n) > key(a.toKey, 2n ** 80n) ? b : a));
    const now = r.tables.find((t) => t.table === table)?.axis?.now;
    const ahead = now == null || !/^-?\d+$/.test(now) ? 'unknown' : String(parts.filter((p) => p.fromKey != null && key(p.fromKey, 0n) > BigInt(now)).length);
    const hasDefault = r.partitions.some((p) => p.table === table && p.from === 'DEFAULT');
    out.push(`| \`${table}\` | ${parts.length} | ${oldest.from ?? 'MINVALUE'} | ${newest.to ?? 'MAXVALUE'} | ${ahead} | ${hasDefault ? 'yes' : 'no'} |`);
  }
  return [...out, ''];
}

function escape(s: string): string {
  return s.replace(/([<>])/g, '\\$1');
}

function cell(s: string): string {
  return escape(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
