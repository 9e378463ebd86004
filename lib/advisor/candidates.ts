/**
 * Candidate indexes from how statements use their tables (resolve-types.ts), in the shapes a
 * B-tree serves: equality columns first, then one range or sort column (in the ORDER BY's
 * direction); INCLUDE columns where an index-only scan could answer the statement; a partial
 * index where a parameter-free predicate (`deleted_at IS NULL`) holds for every statement on the
 * table. Whether any of them helps is the planner's call (what-if), not ours: this stage only
 * proposes, generously but boundedly.
 */
import { indexKey, IndexColumn, IndexDef } from './index-sql';
import type { ResolvedTable, TableUsage } from './resolve-types';

export interface CandidateSource {
  /** The statement id (queryid) that suggested it. */
  statements: Set<string>;
  def: IndexDef;
}

export interface CandidateOptions {
  /** Key columns at most (wide keys cost space and writes for little). */
  maxKeyColumns: number;
  /** INCLUDE at most this many extra columns for an index-only scan. */
  maxIncludeColumns: number;
}

export const CANDIDATE_DEFAULTS: CandidateOptions = { maxKeyColumns: 3, maxIncludeColumns: 3 };

/**
 * INCLUDE columns a merged candidate may carry. Each statement's own covering index stays narrow
 * (maxIncludeColumns), but a table's indexes are few (maxIndexesPerTable), so one index that
 * covers several statements' reads is often worth more than several that cover one each
 * (index merging, Chaudhuri & Narasayya, ICDE 1999, as the Database Tuning Advisor does).
 */
export const MAX_MERGED_INCLUDE = 8;

/** Collects candidates across the workload, deduplicated by definition. */
export class CandidatePool {
  readonly byKey = new Map<string, CandidateSource>();

  constructor(private readonly opts: CandidateOptions = CANDIDATE_DEFAULTS) {}

  /** `partialPredicates`: per table (schema.name), predicates every statement on it shares. */
  addStatement(id: string, tables: ResolvedTable[], partialPredicates: Map<string, SharedPredicate[]>): void {
    for (const t of tables) {
      if (t.kind !== 'table' && t.kind !== 'partitioned' && t.kind !== 'matview') continue;
      const table = { schema: t.schema, name: t.name };
      const shared = partialPredicates.get(`${t.schema}.${t.name}`) ?? [];
      const usages = t.accesses.length ? t.accesses : [t];
      for (const u of usages) {
        for (const columns of keyShapes(u, this.opts.maxKeyColumns)) {
          this.add(id, { table, columns });
          const include = includeFor(u, columns, this.opts.maxIncludeColumns);
          if (include.length) this.add(id, { table, columns, include });
          for (const p of shared) {
            // A predicate column is fixed by the WHERE: keeping it in the key wastes space.
            const rest = columns.filter((c) => c.name !== p.column);
            if (rest.length) this.add(id, { table, columns: rest, where: p.sql });
          }
        }
      }
    }
  }

  private add(statement: string, def: IndexDef): void {
    const key = indexKey(def);
    const existing = this.byKey.get(key);
    if (existing) existing.statements.add(statement);
    else this.byKey.set(key, { statements: new Set([statement]), def });
  }

  get all(): CandidateSource[] {
    return [...this.byKey.values()];
  }

  /**
   * The candidates plus merged ones: per table, predicate and key, that key with, as INCLUDE
   * columns, everything the covering candidates whose key starts with it carry beyond it (their
   * further key columns and INCLUDE columns), when that covers more than any one of them does.
   */
  withMerged(maxInclude = MAX_MERGED_INCLUDE): CandidateSource[] {
    const out = new Map(this.byKey);
    for (const a of this.byKey.values()) {
      const key = new Set(a.def.columns.map((c) => c.name));
      const users = [...this.byKey.values()].filter((b) => (b.def.include?.length ?? 0) > 0 && extendsIndex(b.def, { ...a.def, include: [] }));
      const include = unique(users.flatMap((b) => [...b.def.columns.map((c) => c.name), ...(b.def.include ?? [])])).filter((c) => !key.has(c));
      if (users.length < 2 || include.length > maxInclude || users.some((b) => (b.def.include ?? []).length >= include.length)) continue;
      const def: IndexDef = { ...a.def, include };
      const k = indexKey(def);
      if (!out.has(k)) out.set(k, { statements: new Set(users.flatMap((b) => [...b.statements])), def });
    }
    return [...out.values()];
  }
}

/**
 * Key column orders worth asking the planner about, for one table reference:
 * singles; equality (and IN, IS NULL, join) columns first; then one range column, or the
 * ORDER BY (which lets a LIMIT stop early); GROUP BY columns for sorted aggregation.
 */
export function keyShapes(u: TableUsage, maxKeys: number): IndexColumn[][] {
  const eq = unique([...u.equality, ...u.isNull, ...u.in, ...u.joinColumns]);
  const ranges = unique([...u.range, ...u.prefixLike.filter((p) => p.certain).map((p) => p.column)]).filter((c) => !eq.includes(c));
  const shapes: IndexColumn[][] = [];
  const col = (name: string): IndexColumn => ({ name });
  for (const c of unique([...eq, ...ranges, ...u.isNotNull, ...(u.orColumns ?? [])])) shapes.push([col(c)]);

  // Equality prefix: as given, and each column first (the planner decides which order serves
  // the most statements; a column shared with other statements is worth leading with).
  const eqPrefixes: string[][] = [];
  if (eq.length > 1) {
    eqPrefixes.push(eq.slice(0, maxKeys));
    for (const lead of eq) eqPrefixes.push([lead, ...eq.filter((c) => c !== lead)].slice(0, maxKeys));
  } else if (eq.length === 1) {
    eqPrefixes.push(eq);
  }
  for (const p of eqPrefixes) shapes.push(p.map(col));
  for (const p of eqPrefixes.length ? eqPrefixes : [[]]) {
    if (p.length >= maxKeys) continue;
    for (const r of ranges) if (p.length) shapes.push([...p, r].map(col));
    const order = u.orderBy.filter((o) => !p.includes(o.column));
    if (order.length && p.length + order.length <= maxKeys) {
      // Direction matters once the index has more than one sort column: (a ASC, b DESC) cannot
      // be read for ORDER BY a, b. NULLS only when it differs from the direction's default.
      shapes.push([...p.map(col), ...order.map((o) => ({ name: o.column, ...(o.direction === 'desc' ? { direction: 'desc' as const } : {}), ...(o.nulls !== (o.direction === 'desc' ? 'first' : 'last') ? { nulls: o.nulls } : {}) }))]);
    }
    const group = u.groupBy.filter((g) => !p.includes(g));
    if (group.length && p.length + group.length <= maxKeys) shapes.push([...p, ...group].map(col));
  }
  return dedupe(shapes.filter((s) => s.length > 0 && s.length <= maxKeys));
}

/** Columns to INCLUDE so the index alone answers the statement (not for `SELECT *`). */
export function includeFor(u: TableUsage, key: IndexColumn[], max: number): string[] {
  if (u.columnsRead === 'all') return [];
  const keyNames = new Set(key.map((k) => k.name));
  const rest = u.columnsRead.filter((c) => !keyNames.has(c));
  return rest.length && rest.length <= max ? rest : [];
}

/**
 * Parameter-free predicates shared by every statement that reads a table: the partial-index
 * predicates a workload supports (an index WHERE deleted_at IS NULL serves only statements
 * that say so).
 */
export interface SharedPredicate {
  column: string;
  sql: string;
}

export function sharedPredicates(statements: ResolvedTable[][]): Map<string, SharedPredicate[]> {
  const seen = new Map<string, SharedPredicate[]>();
  for (const tables of statements) {
    for (const t of tables) {
      const key = `${t.schema}.${t.name}`;
      const mine = t.constantPredicates;
      const before = seen.get(key);
      seen.set(key, before === undefined ? [...mine] : before.filter((p) => mine.some((m) => m.sql === p.sql)));
    }
  }
  for (const [k, v] of seen) if (!v.length) seen.delete(k);
  return seen;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function dedupe(shapes: IndexColumn[][]): IndexColumn[][] {
  const seen = new Set<string>();
  return shapes.filter((s) => {
    const k = JSON.stringify(s);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Whether a statement's use of a table leaves the planner any way to use `def`: it must touch one
 * of the index's columns (a B-tree is searched, ordered or read index-only through its columns;
 * a partial index's predicate must be implied by the statement's own, on columns it touches).
 * `*` or no column at all (count(*) can scan any index index-only) keep every index possible.
 * This lets the selection price a configuration by the indexes a statement could use.
 */
export function couldUse(def: IndexDef, t: TableUsage): boolean {
  if (t.columnsRead === 'all' || !t.columnsRead.length) return true;
  const touched = new Set([...t.columnsRead, ...t.equality, ...t.range, ...t.in, ...t.isNull, ...t.isNotNull, ...t.joinColumns, ...t.groupBy, ...t.prefixLike.map((p) => p.column), ...t.orderBy.map((o) => o.column)]);
  return [...def.columns.map((c) => c.name), ...(def.include ?? [])].some((c) => touched.has(c));
}

/**
 * Whether `longer` extends `shorter` in Extend's sense (Schlosser et al., 2019): same table and
 * predicate, `shorter`'s key columns a proper prefix of `longer`'s (same order and direction),
 * and `shorter`'s INCLUDE columns inside `longer`. Whatever a scan of `shorter` can do, a scan of
 * `longer` can, so choosing `longer` may replace `shorter` at the cost of the extra bytes.
 */
export function extendsIndex(longer: IndexDef, shorter: IndexDef): boolean {
  if (longer.table.schema !== shorter.table.schema || longer.table.name !== shorter.table.name) return false;
  if ((longer.where ?? '') !== (shorter.where ?? '') || (longer.method ?? 'btree') !== (shorter.method ?? 'btree')) return false;
  if (shorter.columns.length > longer.columns.length) return false;
  const same = (a: IndexColumn, b: IndexColumn) => a.name === b.name && (a.direction ?? 'asc') === (b.direction ?? 'asc') && a.nulls === b.nulls;
  if (!shorter.columns.every((c, i) => same(c, longer.columns[i]))) return false;
  const covered = new Set([...longer.columns.map((c) => c.name), ...(longer.include ?? [])]);
  if (!(shorter.include ?? []).every((c) => covered.has(c))) return false;
  return indexKey(longer) !== indexKey(shorter);
}
