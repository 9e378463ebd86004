/**
 * Partition coverage from the latest partitions report of the target: per table, how far ahead
 * partitions are premade, and which tables failed or are at risk. Pure.
 *
 * "Ahead" counts partitions wholly after the table's current key (axis.now) and measures how far
 * the last upper bound reaches beyond it: in days for time keys (keys are µs since the epoch, see
 * PartitionTableResult.axis), in ids for id keys. A report written before axis/toKey existed
 * shows the last upper bound as written.
 */
import type { PartitionsReport } from '../report/types';
import type { TableCoverage } from './types';

const US_PER_DAY = 86_400_000_000n;

export function partitionCoverage(report: PartitionsReport): TableCoverage[] {
  return report.tables.map((t) => {
    const parts = report.partitions.filter((p) => p.table === t.table && p.to !== null);
    const findings = report.findings.filter((f) => f.table === t.table && f.severity !== 'ok');
    const problems = [
      ...(t.status === 'failed' ? [`failed${t.consecutiveFailures && t.consecutiveFailures > 1 ? ` ${t.consecutiveFailures} runs in a row` : ''}${t.error ? `: ${t.error}` : ''}`] : []),
      // A failed table's finding usually repeats its error: say it once.
      ...findings.filter((f) => f.message !== t.error).map((f) => `${f.severity}: ${f.message}`),
    ];
    const status: TableCoverage['status'] = t.status === 'failed' ? 'failed' : findings.length ? 'at-risk' : 'ok';
    return { table: t.table, status, ahead: ahead(t, parts), problems };
  });
}

function ahead(t: PartitionsReport['tables'][number], parts: PartitionsReport['partitions']): string {
  if (!parts.length) return 'no bounded partitions';
  const now = t.axis?.now != null ? BigInt(t.axis.now) : undefined;
  const keyed = parts.filter((p) => p.toKey != null && p.fromKey != null);
  if (now === undefined || keyed.length !== parts.length) return `up to ${parts[parts.length - 1].to}`;
  const last = keyed.reduce((m, p) => (BigInt(p.toKey!) > BigInt(m.toKey!) ? p : m));
  const future = keyed.filter((p) => BigInt(p.fromKey!) > now).length;
  const reach = BigInt(last.toKey!) - now;
  const span = t.axis!.kind === 'time' ? `${reach > 0n ? reach / US_PER_DAY : 0n} days` : `${reach > 0n ? reach : 0n} ids`;
  return `${future} partition${future === 1 ? '' : 's'} ahead, up to ${last.to} (${span})`;
}
