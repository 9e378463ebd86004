/**
 * Representative parameter values from pg_stats. A generic plan estimates `col = $1` as
 * 1/n_distinct and a range on `$1` as a third of the table (PostgreSQL's DEFAULT_INEQ_SEL), which
 * hides indexes that real executions use. pg_stats holds what the planner itself knows of each
 * column (most common values, histogram), so values drawn from it plan like a typical execution:
 *  - equality / IN: a typical value outside the most common ones (the histogram's median), else
 *    the least common of the common values (queries by status usually ask for the rare one);
 *  - a lower bound alone selects the top tenth, an upper bound alone the bottom tenth, and a pair
 *    of bounds on one column a tenth in the middle;
 *  - the other parameters of a bound's expression (`$2 + interval $3`) get a zero-ish value.
 * Statements whose parameters cannot all be placed keep the generic estimate.
 */
import type { Db } from '../pg/db';
import type { ParamUse } from './resolve-types';

export interface ColumnStats {
  mcv: string[];
  mcf: number[];
  histogram: string[];
}

const SQL = `
select schemaname as schema, tablename as table, attname as column,
       coalesce(array_to_json(most_common_vals::text::text[]), '[]') as mcv,
       coalesce(array_to_json(most_common_freqs), '[]') as mcf,
       coalesce(array_to_json(histogram_bounds::text::text[]), '[]') as histogram
from pg_stats
where (schemaname, tablename, attname) in (select * from unnest($1::text[], $2::text[], $3::text[]))
  and not inherited`;

export async function loadColumnStats(db: Db, uses: ParamUse[]): Promise<Map<string, ColumnStats>> {
  const keys = [...new Map(uses.map((u) => [statsKey(u), u])).values()];
  const out = new Map<string, ColumnStats>();
  if (!keys.length) return out;
  const rows = await db.query<{ schema: string; table: string; column: string; mcv: string[]; mcf: number[]; histogram: string[] }>(SQL, [
    keys.map((k) => k.schema), keys.map((k) => k.table), keys.map((k) => k.column),
  ]);
  for (const r of rows) out.set(`${r.schema}.${r.table}.${r.column}`, { mcv: r.mcv, mcf: r.mcf, histogram: r.histogram });
  return out;
}

const statsKey = (u: Pick<ParamUse, 'schema' | 'table' | 'column'>) => `${u.schema}.${u.table}.${u.column}`;

/** Values for every parameter, or undefined when some compared parameter has no statistics. */
export function representativeValues(uses: ParamUse[], stats: Map<string, ColumnStats>, paramCount: number, types: Map<number, string>): Map<number, string | null> | undefined {
  if (!uses.length) return undefined;
  const values = new Map<number, string | null>();
  const byColumn = new Map<string, ParamUse[]>();
  for (const u of uses) byColumn.set(statsKey(u), [...(byColumn.get(statsKey(u)) ?? []), u]);
  for (const [key, list] of byColumn) {
    const st = stats.get(key);
    if (!st) return undefined;
    const bounds = list.filter((u) => u.group[0] === u.param);
    const paired = bounds.some((u) => u.op === '>' || u.op === '>=') && bounds.some((u) => u.op === '<' || u.op === '<=');
    let betweenSeen = false;
    for (const u of bounds) {
      let v: string | undefined;
      if (u.op === 'between') {
        v = quantile(st, betweenSeen ? 0.55 : 0.45);
        betweenSeen = true;
      } else if (u.op) {
        const lower = u.op === '>' || u.op === '>=';
        // A lone bound says nothing of how wide the range is: keep the planner's own default
        // (a third of the table); a pair of bounds is a narrow window, as reports and feeds ask.
        v = quantile(st, paired ? (lower ? 0.45 : 0.55) : lower ? 2 / 3 : 1 / 3);
      } else v = typical(st);
      if (v === undefined) return undefined;
      values.set(u.param, /\[\]$/.test(types.get(u.param) ?? '') ? `{"${v.replace(/(["\\])/g, '\\$1')}"}` : v);
    }
  }
  for (let n = 1; n <= paramCount; n++) if (!values.has(n)) values.set(n, zeroFor(types.get(n)));
  return values;
}

function quantile(st: ColumnStats, q: number): string | undefined {
  if (st.histogram.length) return st.histogram[Math.min(st.histogram.length - 1, Math.round(q * (st.histogram.length - 1)))];
  if (!st.mcv.length) return undefined;
  // No histogram: every value is a common one; walk the common values in sorted order.
  const sorted = [...st.mcv].sort();
  return sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
}

function typical(st: ColumnStats): string | undefined {
  if (st.histogram.length) return st.histogram[Math.floor(st.histogram.length / 2)];
  if (!st.mcv.length) return undefined;
  let i = 0;
  st.mcf.forEach((f, k) => (f < st.mcf[i] ? (i = k) : undefined));
  return st.mcv[i];
}

/** A harmless value for a parameter that only modifies a bound, by its type. */
export function zeroFor(type: string | undefined): string | null {
  if (!type) return null;
  if (/interval/.test(type)) return '0';
  if (/int|numeric|double|real|decimal|float/.test(type)) return '0';
  return null;
}
