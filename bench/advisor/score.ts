/**
 * Scoring as Kossmann et al. (VLDB 2020) do: the workload's planner cost with the recommended
 * indexes present, over its cost without any — here Σ cost(with) / Σ cost(without) over the
 * LITERAL queries, each counted once. Literal texts (not pg_stat_statements' normalized ones)
 * keep the score independent of how the advisor chose parameter values: an advisor that plans
 * generic plans and one that plans representative values are judged on the same real queries.
 * Indexes exist only as HypoPG hypothetical indexes, so scoring builds nothing and is fast.
 */
import type { Db } from '../../lib/pg/db';
import type { IndexDef } from '../../lib/advisor/index-sql';
import { HypoPGEngine } from '../../lib/advisor/whatif/hypopg';
import { TPCH_TABLES } from './tpch-schema';
import type { TpchQuery } from './tpch-queries';

export interface Score {
  ratio: number;
  costWithout: number;
  costWith: number;
  /** HypoPG's estimated size of the given indexes, summed. */
  sizeBytes: number;
  perQuery: { n: number; without: number; with: number }[];
}

async function totalCost(db: Db, sql: string): Promise<number> {
  const rows = await db.query(`explain (format json) ${sql}`);
  const doc = rows[0]['QUERY PLAN'] as { Plan: { 'Total Cost': number } }[];
  return doc[0].Plan['Total Cost'];
}

/**
 * Scores `indexes` on `queries`. Resets HypoPG before and after: whatever hypothetical indexes
 * the advisor left on this connection must not count.
 */
export async function score(db: Db, queries: TpchQuery[], indexes: IndexDef[]): Promise<Score> {
  const hypo = await HypoPGEngine.open(db);
  try {
    const without: number[] = [];
    for (const q of queries) without.push(await totalCost(db, q.sql));
    let sizeBytes = 0;
    for (const def of indexes) sizeBytes += (await hypo.add(def)).sizeBytes;
    const withIdx: number[] = [];
    for (const q of queries) withIdx.push(await totalCost(db, q.sql));
    const costWithout = without.reduce((a, b) => a + b, 0);
    const costWith = withIdx.reduce((a, b) => a + b, 0);
    return {
      ratio: costWith / costWithout,
      costWithout,
      costWith,
      sizeBytes,
      perQuery: queries.map((q, i) => ({ n: q.n, without: without[i], with: withIdx[i] })),
    };
  } finally {
    await hypo.reset();
  }
}

/**
 * One single-column btree index per column of the 8 TPC-H tables, read from the catalog. By
 * default every column: TPC-H has exactly 61, which is the issue's "every single-column index at
 * once (61, 344 MB)" reference. With `referencedBy`, only the columns whose name occurs as a
 * word in one of those queries' texts: a plain text scan is exact here because TPC-H column
 * names carry a per-table prefix (l_, o_, ps_, …) and so are unique and unlike any keyword;
 * columns that are only selected (not filtered, joined or sorted on) are counted too, a slight
 * over-approximation that costs size, not cost.
 */
export async function allSingleColumnIndexes(db: Db, opts: { referencedBy?: TpchQuery[] } = {}): Promise<IndexDef[]> {
  const rows = await db.query<{ table: string; column: string }>(
    `select c.relname as "table", a.attname as "column"
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relname = any($1) and a.attnum > 0 and not a.attisdropped
      order by c.relname, a.attnum`,
    [[...TPCH_TABLES]],
  );
  const text = opts.referencedBy?.map((q) => q.sql).join('\n');
  return rows
    .filter((r) => text === undefined || new RegExp(`\\b${r.column}\\b`).test(text))
    .map((r) => ({ table: { schema: 'public', name: r.table }, columns: [{ name: r.column }] }));
}
