/**
 * Representative parameter values from pg_stats. A generic plan estimates `col = $1` as
 * 1/n_distinct and a range on `$1` as a third of the table (PostgreSQL's DEFAULT_INEQ_SEL), which
 * hides indexes that real executions use. pg_stats holds what the planner itself knows of each
 * column (most common values, histogram), so values drawn from it plan like a typical execution:
 *  - equality: a typical value outside the most common ones (the histogram's median), else the
 *    least common of the common values (queries by status usually ask for the rare one);
 *  - IN / = ANY with k parameters: k distinct such values (k copies of one value would plan as
 *    one value, k times too selective);
 *  - a lower bound alone selects the top third, an upper bound alone the bottom third (the
 *    planner's own DEFAULT_INEQ_SEL), and a pair of bounds on one column a tenth in the middle;
 *  - the other parameters of a bound's expression (`$2 + interval $3`) get a zero-ish value.
 * Comparisons inside OR branches count like the others (parse-or.ts), each branch its own value.
 * Parameters compared with no column (select list, LIMIT, `<>`, NOT LIKE) get a
 * permissive non-NULL value: a NULL makes `col <> $1` constant-false, and the whole plan
 * collapses to "One-Time Filter: false" at cost 0 (field notes), which made such statements
 * look free and unimprovable.
 * Statements with no placed parameter, or a compared parameter without statistics, keep the
 * generic estimate (undefined here).
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
export function representativeValues(uses: ParamUse[], stats: Map<string, ColumnStats>, paramCount: number, types: Map<number, string>, intervalFields: Map<number, string> = new Map()): Map<number, string | null> | undefined {
  if (!uses.length) return undefined;
  const values = new Map<number, string | null>();
  const byColumn = new Map<string, ParamUse[]>();
  for (const u of uses) byColumn.set(statsKey(u), [...(byColumn.get(statsKey(u)) ?? []), u]);
  const set = (param: number, v: string) => values.set(param, /\[\]$/.test(types.get(param) ?? '') ? `{"${v.replace(/(["\\])/g, '\\$1')}"}` : v);
  for (const [key, list] of byColumn) {
    const st = stats.get(key);
    if (!st) return undefined;
    const bounds = list.filter((u) => u.group[0] === u.param);
    const paired = bounds.some((u) => u.op === '>' || u.op === '>=') && bounds.some((u) => u.op === '<' || u.op === '<=');
    // The j-th of n comparisons of one kind on this column. More than one comes from the
    // branches of an OR (`(brand = $2 and qty >= $7 …) or (brand = $15 and qty >= $20 …)`), which
    // ask for different values: given the same ones, the branches would be identical and the
    // planner would fold the whole OR into one AND (prepqual.c, process_duplicate_ors), planning
    // a statement that is not the one run. So the j-th gets the j-th typical value, and pairs of
    // bounds windows of the same width centred at (j + 1) / (n + 1) (the middle when n = 1).
    const slotOf = (u: ParamUse) => (u.op === 'between' ? 'between' : u.op === '>' || u.op === '>=' ? 'lower' : u.op ? 'upper' : u.kind);
    const total = new Map<string, number>();
    for (const u of bounds) total.set(slotOf(u), (total.get(slotOf(u)) ?? 0) + 1);
    const seen = new Map<string, number>();
    for (const u of bounds) {
      const slot = slotOf(u);
      const j = seen.get(slot) ?? 0;
      seen.set(slot, j + 1);
      const n = total.get(slot)!;
      const centre = (j + 1) / (n + 1);
      if (u.op === 'between') {
        const lo = quantile(st, centre - HALF_WINDOW);
        const hi = quantile(st, centre + HALF_WINDOW);
        if (lo === undefined || hi === undefined) return undefined;
        set(u.param, lo);
        for (const p of secondBound(u.group, types)) set(p, hi);
      } else if (u.op) {
        const lower = slot === 'lower';
        // A lone bound says nothing of how wide the range is: keep the planner's own default
        // (a third of the table); a pair of bounds is a narrow window, as reports and feeds ask.
        // `col >= $1 and col < $2 + interval $3 month`: the report's window is written in the
        // query, one unit of its interval field (the usual count: a day, a month, a year), so
        // it starts where the lower bound does and is that wide, not a tenth of the rows.
        const step = paired && !lower ? intervalStep(u.group, intervalFields) : undefined;
        const v = quantile(st, paired ? centre + (lower || step ? -HALF_WINDOW : HALF_WINDOW) : lower ? 2 / 3 : 1 / 3);
        if (v === undefined) return undefined;
        set(u.param, v);
        if (step) set(step.param, step.value);
      } else if (u.kind === 'in') {
        // `IN ($3, $4, …)` is one group: each member a different typical value (and each group
        // of an OR its own ones).
        const before = bounds.slice(0, bounds.indexOf(u)).filter((b) => slotOf(b) === 'in').reduce((sum, b) => sum + b.group.length, 0);
        const vs = typicalValues(st, before + u.group.length).slice(before);
        const all = vs.length ? vs : typicalValues(st, u.group.length);
        if (!all.length) return undefined;
        u.group.forEach((p, i) => set(p, all[i % all.length]));
      } else {
        const vs = typicalValues(st, n);
        const v = vs[j % Math.max(1, vs.length)];
        if (v === undefined) return undefined;
        set(u.param, v);
      }
    }
  }
  const modifiers = new Set(uses.flatMap((u) => u.group));
  for (let n = 1; n <= paramCount; n++) if (!values.has(n)) values.set(n, modifiers.has(n) ? zeroFor(types.get(n)) : permissive(types.get(n)));
  return values;
}

/** The interval modifier of a bound (`$2 + interval $3 month`) and one unit of its field, when the text says which. */
function intervalStep(group: number[], fields: Map<number, string>): { param: number; value: string } | undefined {
  for (const p of group.slice(1)) {
    const unit = fields.get(p)?.split(/\s+/)[0];
    if (unit && /^(year|month|day|hour|minute|second)$/.test(unit)) return { param: p, value: `1 ${unit}` };
  }
  return undefined;
}

/** Half the width of a window between two bounds: a tenth of the rows, as reports and feeds ask. */
const HALF_WINDOW = 0.05;

/**
 * A BETWEEN's group holds both bounds' parameters in text order (`$4 - $5 and $6 + $7`), without
 * saying where the second starts. Both bounds usually have the same shape, so an even group
 * splits in half. An odd one is ambiguous (`$1 and $2 + $3` or `$1 - $2 and $3`): every
 * non-interval parameter after the first gets the upper value, which for either reading gives a
 * non-empty (if wider) window; a zero there would have made the range empty.
 */
function secondBound(group: number[], types: Map<number, string>): number[] {
  if (group.length < 2) return [];
  if (group.length % 2 === 0) return [group[group.length / 2]];
  return group.slice(1).filter((p) => !/interval/.test(types.get(p) ?? ''));
}

function quantile(st: ColumnStats, q: number): string | undefined {
  if (st.histogram.length) return st.histogram[Math.min(st.histogram.length - 1, Math.round(q * (st.histogram.length - 1)))];
  if (!st.mcv.length) return undefined;
  // No histogram: every value is a common one; walk the common values in sorted order. pg_stats
  // hands them over as text, so numbers are compared as numbers ('10' sorts after '9').
  const sorted = [...st.mcv].sort(byValue);
  return sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
}

function byValue(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `k` distinct values as typical as pg_stats can tell: histogram bounds from the median outwards
 * (values outside the common ones), else the common values from the least common up.
 */
function typicalValues(st: ColumnStats, k: number): string[] {
  if (st.histogram.length) {
    const mid = Math.floor(st.histogram.length / 2);
    const out: string[] = [];
    for (let d = 0; out.length < k && d < st.histogram.length; d++) {
      for (const i of d ? [mid + d, mid - d] : [mid]) if (i >= 0 && i < st.histogram.length && out.length < k) out.push(st.histogram[i]);
    }
    return out;
  }
  return st.mcv.map((v, i) => ({ v, f: st.mcf[i] ?? 0 })).sort((a, b) => a.f - b.f).slice(0, k).map((x) => x.v);
}

/** A harmless value for a parameter that only modifies a bound, by its type. */
export function zeroFor(type: string | undefined): string | null {
  // Untyped: '0' reads as a number, an interval or text alike; NULL would make the bound NULL.
  if (!type) return '0';
  if (/interval/.test(type)) return '0';
  if (/int|numeric|double|real|decimal|float/.test(type)) return '0';
  return null;
}

/**
 * A value for a parameter compared with no column: keeps `col <> $1`, `NOT LIKE $1` and
 * `LIMIT $1` from cutting anything, where NULL would make the first two constant-false. Text
 * gets '' (fits any length limit); numbers 0, as before; untyped parameters (PostgreSQL infers
 * LIMIT's as bigint, `substring(… from $1)`'s as integer, an IN list's as text) a large number,
 * which all of those accept and which leaves a LIMIT as good as absent. A type that rejects the
 * value fails planning, and the statement keeps its generic plan: a loud fallback, not a
 * silent cost of 0.
 */
export function permissive(type: string | undefined): string | null {
  if (!type) return UNTYPED_VALUE;
  if (/char|text|name/.test(type)) return '';
  return zeroFor(type);
}

/** More rows than a LIMIT that plans differently from none asks for, and a valid int4, int8, numeric and text. */
const UNTYPED_VALUE = '1000000';
