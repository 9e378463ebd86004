/**
 * Invalid indexes: left behind when CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY fails.
 * They are still updated on every write but never used for reads (PostgreSQL docs, CREATE
 * INDEX, "Building Indexes Concurrently"). An index that is invalid only because a concurrent
 * build is still running is not reported (pg_stat_progress_create_index shows it).
 * Sizes come from pg_class.relpages (as of the last VACUUM/ANALYZE, so a fresh index may show
 * none): pg_relation_size() would take a lock on the index.
 */
import type { CheckFamily, CheckContext, FamilyResult } from './context';
import type { Finding } from './finding';
import { capFindings, okFinding } from './judge';
import { formatBytes } from '../config/units';
import { displayIdent } from '../pg/quote';

const INVALID_SQL = `
select n.nspname as schema, ci.relname as index, ct.oid::regclass::text as table_name,
       ci.relpages::bigint * current_setting('block_size')::bigint as size_bytes,
       pg_get_indexdef(i.indexrelid) as definition
from pg_index i
join pg_class ci on ci.oid = i.indexrelid
join pg_class ct on ct.oid = i.indrelid
join pg_namespace n on n.oid = ci.relnamespace
where not i.indisvalid
  and not exists (select 1 from pg_stat_progress_create_index p
                  where p.index_relid = i.indexrelid
                     or (p.relid = i.indrelid and p.command = 'REINDEX CONCURRENTLY'))
order by n.nspname, ci.relname`;

export const indexes: CheckFamily = {
  name: 'indexes',
  checks: ['invalid_indexes'],
  async run(ctx: CheckContext): Promise<FamilyResult> {
    const severity = ctx.settings.thresholds.invalid_indexes.severity ?? 'warning';
    const rows = await ctx.db.query<{ schema: string; index: string; table_name: string; size_bytes: string; definition: string }>(INVALID_SQL);
    if (!rows.length) return { findings: [okFinding('invalid_indexes', 'No invalid indexes', 0)] };
    const findings: Finding[] = rows.map((r) => {
      const name = `${displayIdent(r.schema)}.${displayIdent(r.index)}`;
      return {
        check: 'invalid_indexes', severity, object: name,
        message: `Index ${name} on ${r.table_name} is invalid${Number(r.size_bytes) > 0 ? ` (${formatBytes(Number(r.size_bytes))})` : ''}: it slows every write and serves no read. Drop it with DROP INDEX CONCURRENTLY ${name}; then rebuild it if it is needed (or REINDEX INDEX CONCURRENTLY ${name}).`,
        detail: { table: r.table_name, definition: r.definition, sizeBytes: Number(r.size_bytes) },
      };
    });
    return { findings: capFindings(findings, ctx.settings.maxSessionsPerCheck, 'invalid indexes') };
  },
};
