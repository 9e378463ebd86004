/**
 * Every index on a user table, as the advisor needs it: to see whether a candidate is already
 * covered, and to judge unused or duplicate indexes (with what backs a constraint, and so
 * cannot simply be dropped). One statement.
 *
 * Key columns come from pg_index.indkey (0 = an expression, whose text pg_get_indexdef(oid, n,
 * true) gives), directions from indoption (bit 0 DESC, bit 1 NULLS FIRST: INDOPTION_DESC and
 * INDOPTION_NULLS_FIRST in src/include/catalog/pg_index.h); positions after indnkeyatts are
 * INCLUDE columns (PostgreSQL docs, pg_index).
 *
 * Sizes are pg_class.relpages × block_size, as of the last VACUUM, ANALYZE or CREATE INDEX:
 * pg_relation_size() would take a lock on each index, and the advisor must never queue behind
 * the application. So an index built since then may show 0 (PostgreSQL docs, pg_class.relpages:
 * "updated by VACUUM, ANALYZE, and a few DDL commands such as CREATE INDEX").
 *
 * Usage: idx_scan counts since the statistics were last reset, so "unused" means unused since
 * pg_stat_database.stats_reset of this database (null when never reset). Counters are also lost
 * after a crash or an immediate shutdown and start from zero on a promoted replica (PostgreSQL
 * docs, "The Cumulative Statistics System"), and pg_stat_reset_single_table_counters() clears one
 * index without touching stats_reset: "unused since" is a lower bound, not a proof.
 */
import type { Db } from '../pg/db';

export interface IndexKey {
  /** The column name (as stored), or undefined for an expression. */
  column?: string;
  /** The expression's text (pg_get_indexdef), for expression keys. */
  expression?: string;
  descending: boolean;
  nullsFirst: boolean;
  /** Operator class name, e.g. "text_pattern_ops"; opclassDefault says whether it is the type's default. */
  opclass?: string;
  opclassDefault?: boolean;
}

export interface ExistingIndex {
  oid: number;
  schema: string;
  name: string;
  tableOid: number;
  table: string;
  /** Access method: btree, hash, gin, gist, brin, spgist… */
  method: string;
  keys: IndexKey[];
  /** INCLUDE columns (names). */
  include: string[];
  /** WHERE clause of a partial index (pg_get_expr(indpred, indrelid, true)). */
  predicate?: string;
  unique: boolean;
  /** PG 15+: UNIQUE NULLS NOT DISTINCT. */
  nullsNotDistinct: boolean;
  primary: boolean;
  exclusion: boolean;
  /** False after a failed CREATE INDEX CONCURRENTLY: maintained on writes, never used to read. */
  valid: boolean;
  ready: boolean;
  replicaIdentity: boolean;
  /** The constraint this index implements (dropping the index means dropping it). */
  constraint?: { name: string; type: 'primary' | 'unique' | 'exclusion' };
  /** Foreign keys of other tables that reference through this index. */
  referencedBy: string[];
  /** An index on a partitioned table (relkind I): it has no storage or scans of its own. */
  partitioned: boolean;
  /** For an index on a partition: the partitioned index it belongs to. */
  parentOid?: number;
  /** pg_stat_user_indexes.idx_scan; null for partitioned indexes (no row). */
  scans: number | null;
  /** PG 16+: pg_stat_user_indexes.last_idx_scan (ISO). */
  lastScan?: string | null;
  sizeBytes: number;
  definition: string;
}

export interface ExistingIndexes {
  indexes: ExistingIndex[];
  /** pg_stat_database.stats_reset for this database (ISO): scans count from then. */
  statsReset: string | null;
}

/** Pure: the statement for a major (last_idx_scan from 16, indnullsnotdistinct from 15). */
export function existingIndexesSql(major: number): string {
  return `
select i.indexrelid as oid, n.nspname as schema, ci.relname as name,
       i.indrelid as table_oid, ct.relname as table_name,
       am.amname as method,
       i.indnkeyatts as key_count,
       (select json_agg(json_build_object(
                 'column', a.attname,
                 'expression', case when k.attnum = 0 then pg_get_indexdef(i.indexrelid, k.n::int, true) end,
                 'option', i.indoption[k.n - 1],
                 'opclass', oc.opcname,
                 'opclassDefault', oc.opcdefault) order by k.n)
        from unnest(i.indkey::int2[]) with ordinality k(attnum, n)
        left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum and k.attnum > 0
        left join pg_opclass oc on oc.oid = i.indclass[k.n - 1]) as columns,
       pg_get_expr(i.indpred, i.indrelid, true) as predicate,
       i.indisunique as unique, ${major >= 15 ? 'i.indnullsnotdistinct' : 'false'} as nulls_not_distinct,
       i.indisprimary as primary, i.indisexclusion as exclusion,
       i.indisvalid as valid, i.indisready as ready, i.indisreplident as replica_identity,
       con.conname as constraint_name, con.contype as constraint_type,
       (select coalesce(array_agg(f.conname::text order by f.conname), '{}')
        from pg_constraint f where f.contype = 'f' and f.conindid = i.indexrelid) as referenced_by,
       ci.relkind = 'I' as partitioned,
       (select h.inhparent from pg_inherits h where h.inhrelid = i.indexrelid) as parent_oid,
       s.idx_scan::float8 as scans,
       ${major >= 16 ? 's.last_idx_scan' : 'null::timestamptz'} as last_scan,
       ci.relpages::float8 * current_setting('block_size')::float8 as size_bytes,
       pg_get_indexdef(i.indexrelid) as definition
from pg_index i
join pg_class ci on ci.oid = i.indexrelid
join pg_class ct on ct.oid = i.indrelid
join pg_namespace n on n.oid = ct.relnamespace
join pg_am am on am.oid = ci.relam
left join pg_constraint con on con.conindid = i.indexrelid and con.conrelid = i.indrelid and con.contype in ('p', 'u', 'x')
left join pg_stat_user_indexes s on s.indexrelid = i.indexrelid
where n.nspname <> all($1::text[])
  and n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
order by n.nspname, ct.relname, ci.relname`;
}

const STATS_RESET_SQL = `select stats_reset from pg_stat_database where datname = current_database()`;
const CONSTRAINT_TYPES = { p: 'primary', u: 'unique', x: 'exclusion' } as const;
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v == null ? null : new Date(String(v)).toISOString());

export async function loadExistingIndexes(db: Db): Promise<ExistingIndexes> {
  const rows = await db.query(existingIndexesSql(db.server.major), [['pg_catalog', 'information_schema']]);
  const [reset] = await db.query(STATS_RESET_SQL);
  const indexes = rows.map((r): ExistingIndex => {
    const columns = (r.columns ?? []) as { column: string | null; expression: string | null; option: number | null; opclass: string | null; opclassDefault: boolean | null }[];
    const keyCount = Number(r.key_count);
    return {
      oid: Number(r.oid),
      schema: r.schema,
      name: r.name,
      tableOid: Number(r.table_oid),
      table: r.table_name,
      method: r.method,
      keys: columns.slice(0, keyCount).map((c) => ({
        ...(c.column != null ? { column: c.column } : { expression: c.expression ?? '' }),
        descending: ((c.option ?? 0) & 1) !== 0,
        nullsFirst: ((c.option ?? 0) & 2) !== 0,
        ...(c.opclass != null ? { opclass: c.opclass, opclassDefault: c.opclassDefault === true } : {}),
      })),
      include: columns.slice(keyCount).map((c) => c.column ?? c.expression ?? ''),
      ...(r.predicate != null ? { predicate: r.predicate } : {}),
      unique: r.unique,
      nullsNotDistinct: r.nulls_not_distinct,
      primary: r.primary,
      exclusion: r.exclusion,
      valid: r.valid,
      ready: r.ready,
      replicaIdentity: r.replica_identity,
      ...(r.constraint_name != null ? { constraint: { name: r.constraint_name, type: CONSTRAINT_TYPES[r.constraint_type as 'p' | 'u' | 'x'] } } : {}),
      referencedBy: r.referenced_by ?? [],
      partitioned: r.partitioned,
      ...(r.parent_oid != null ? { parentOid: Number(r.parent_oid) } : {}),
      scans: r.scans == null ? null : Number(r.scans),
      ...(db.server.major >= 16 ? { lastScan: iso(r.last_scan) } : {}),
      sizeBytes: Number(r.size_bytes),
      definition: r.definition,
    };
  });
  return { indexes, statsReset: iso(reset?.stats_reset) };
}
