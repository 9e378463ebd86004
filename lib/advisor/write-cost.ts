/**
 * What an index costs the writes, in the selection's units (calls × planner cost over the
 * collection window): every inserted, updated (non-HOT) or deleted row adds an entry to each
 * index, and an index on a column that UPDATEs change turns HOT updates, which touch no index
 * at all, into ones that touch every index (PostgreSQL docs, "Heap-Only Tuples (HOT)").
 *
 * The table counters (pg_stat_user_tables) are cumulative since the statistics began; they are
 * scaled to the collection window, so both sides of benefit − cost cover the same time.
 */
import type { Db } from '../pg/db';

/** Planner cost units per index entry written: about one page touched (seq_page_cost = 1). */
export const COST_PER_INDEX_ENTRY = 1.0;

export interface TableWrites {
  /** Rows inserted, updated and deleted in the window. */
  rows: number;
  /** HOT updates in the window. */
  hotUpdates: number;
  /** Indexes the table has now. */
  indexes: number;
}

const SQL = `
select s.relid::regclass::text as relation, n.nspname as schema, c.relname as name,
       (s.n_tup_ins + s.n_tup_upd + s.n_tup_del)::float8 as rows,
       s.n_tup_hot_upd::float8 as hot,
       (select count(*) from pg_index i where i.indrelid = s.relid)::int as indexes,
       extract(epoch from now() - coalesce(d.stats_reset, pg_postmaster_start_time()))::float8 as window_seconds
from pg_stat_user_tables s
join pg_class c on c.oid = s.relid
join pg_namespace n on n.oid = c.relnamespace
join pg_stat_database d on d.datname = current_database()
where n.nspname || '.' || c.relname = any($1)`;

export async function loadWrites(db: Db, tables: string[], windowSeconds: number): Promise<Map<string, TableWrites>> {
  const out = new Map<string, TableWrites>();
  if (!tables.length) return out;
  const rows = await db.query<{ schema: string; name: string; rows: number; hot: number; indexes: number; window_seconds: number }>(SQL, [tables]);
  for (const r of rows) {
    const scale = r.window_seconds > 0 ? Math.min(1, windowSeconds / r.window_seconds) : 1;
    out.set(`${r.schema}.${r.name}`, { rows: r.rows * scale, hotUpdates: r.hot * scale, indexes: r.indexes });
  }
  return out;
}

/** Write cost of one index: its own entries, plus every index's entries for HOT updates it breaks. */
export function writeCost(w: TableWrites | undefined, breaksHot: boolean): number {
  if (!w) return 0;
  const own = (w.rows - (breaksHot ? 0 : w.hotUpdates)) * COST_PER_INDEX_ENTRY;
  const hot = breaksHot ? w.hotUpdates * w.indexes * COST_PER_INDEX_ENTRY : 0;
  return Math.max(0, own) + hot;
}
