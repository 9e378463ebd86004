/**
 * "Recommendations applied since last time": a recommendation of the previous report counts as
 * applied when its table now has a valid index whose leading key columns are the recommended
 * ones (in order; more columns after them, another name or INCLUDE list still serve the same
 * statements). Read from pg_index / pg_attribute, which any role may read (PostgreSQL docs,
 * "System Catalogs"), so the restricted pgsteward role is enough; values are bound.
 *
 * The effect is measured, not estimated: the mean execution time of the statements the index
 * was for, as the previous report measured it and as this run does.
 */
import type { Db } from '../pg/db';
import { displayQualified } from '../pg/quote';
import type { AdviseReport, AppliedRecommendation, IndexRecommendation } from '../report/types';

/** One index as the catalog has it: its table as `schema.name` (the advisor's form) and its key columns. */
export interface ExistingIndex {
  table: string;
  index: string;
  keyColumns: string[];
}

// Key columns only (indnkeyatts, PG 11+), as text[] (node-pg leaves name[] unparsed); an
// expression column has attnum 0 and no name, so it
// reads as null and never matches a column name.
const INDEXES_OF_TABLES_SQL = `
select n.nspname as schema,
       t.relname as table_name,
       i.relname as index_name,
       array(select a.attname::text
               from unnest((x.indkey::int2[])[0:x.indnkeyatts - 1]) with ordinality as k(attnum, ord)
               left join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum
              order by k.ord) as key_columns
  from pg_index x
  join pg_class i on i.oid = x.indexrelid
  join pg_class t on t.oid = x.indrelid
  join pg_namespace n on n.oid = t.relnamespace
 where x.indisvalid
   and x.indisready
   and n.nspname || '.' || t.relname = any($1::text[])`;

export async function readIndexesOf(db: Db, tables: string[]): Promise<ExistingIndex[]> {
  if (!tables.length) return [];
  const rows = await db.query<{ schema: string; table_name: string; index_name: string; key_columns: (string | null)[] }>(INDEXES_OF_TABLES_SQL, [[...new Set(tables)]]);
  return rows.map((r) => ({ table: `${r.schema}.${r.table_name}`, index: displayQualified(r.schema, r.index_name), keyColumns: r.key_columns.map((c) => c ?? '') }));
}

/** The existing index that serves a recommendation, if any. Pure. */
export function matchingIndex(rec: Pick<IndexRecommendation, 'table' | 'columns'>, existing: ExistingIndex[]): ExistingIndex | undefined {
  return existing.find((x) => x.table === rec.table && rec.columns.length > 0 && rec.columns.every((c, i) => x.keyColumns[i] === c));
}

/** What this run measured for a statement: its mean time, or why there is none. */
export type TodayMean = (queryid: string) => { afterMs?: number; after?: 'below-min-mean-time' | 'not-seen' };

/**
 * Pure: the previous report's recommendations that `existing` now serves, with each statement's
 * mean before (the previous report's measure: the recommendation's own, else its top statements)
 * and now.
 */
export function appliedRecommendations(previous: AdviseReport, existing: ExistingIndex[], today: TodayMean): AppliedRecommendation[] {
  const before = new Map((previous.topStatements ?? []).map((s) => [s.queryid, s.meanTimeMs]));
  const out: AppliedRecommendation[] = [];
  for (const rec of previous.recommendations) {
    const index = matchingIndex(rec, existing);
    if (!index) continue;
    out.push({
      table: rec.table,
      columns: rec.columns,
      index: index.index,
      statement: rec.statement,
      recommendedAt: previous.startedAt,
      statements: rec.statements.map((s) => {
        const beforeMs = s.meanTimeMs ?? before.get(s.queryid);
        return { queryid: s.queryid, ...(beforeMs !== undefined ? { beforeMs } : {}), ...today(s.queryid) };
      }),
    });
  }
  return out;
}

/** Reads the catalog for the previous report's tables and matches (the one I/O step). */
export async function findApplied(db: Db, previous: AdviseReport | undefined, today: TodayMean): Promise<AppliedRecommendation[]> {
  if (!previous?.recommendations.length) return [];
  const existing = await readIndexesOf(db, previous.recommendations.map((r) => r.table));
  return appliedRecommendations(previous, existing, today);
}
