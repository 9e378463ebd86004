/**
 * The resolve stage: a parsed statement + the catalog → per base table, how the statement uses
 * its columns (resolve-types.ts). Facts stated on a subquery's, CTE's or view's output column
 * are carried to the underlying column when the output is that plain column and PostgreSQL
 * would push the condition down (no LIMIT in the body; a CTE only when it is inlined).
 */
import type { ColumnName, OrderItem, ParsedStatement, ParseOutcome, Predicate } from './parse-types';
import type { ParamUse, ResolvedStatement } from './resolve-types';
import { hasColumn, Instance, lookup, outputNames, RefTarget, BoundRef, Binder } from './resolve-scope';
import { Access, mergeByTable } from './resolve-usage';
import { identSql } from './parse-type-name';
import type { Catalog } from './types';

export type { ParamUse, ResolvedStatement, ResolvedTable, TableAccess, TableUsage, OrderColumn } from './resolve-types';

interface BaseColumn {
  access: Access;
  column: string;
}

/** 'order' is stricter: an order survives neither grouping nor a set operation. */
type Mode = 'predicate' | 'order';

/** One per run: keeps parsed view definitions across statements. */
export class StatementResolver {
  private readonly views = new Map<number, ParseOutcome>();

  constructor(private readonly catalog: Catalog) {}

  resolve(parsed: ParsedStatement): ResolvedStatement {
    const notes = new Set<string>();
    const binder = new Binder(this.catalog, this.views, (m) => notes.add(m));
    binder.instantiate(parsed, parsed.main, undefined, []);
    const walker = new FactWalker((m) => notes.add(m), new Map(parsed.paramTypes));
    for (const inst of binder.instances) walker.scope(inst);
    return { kind: parsed.kind, tables: mergeByTable(binder.accesses), paramTypes: walker.paramTypes, paramUses: walker.paramUses, notes: [...notes] };
  }
}

export function resolveStatement(parsed: ParsedStatement, catalog: Catalog): ResolvedStatement {
  return new StatementResolver(catalog).resolve(parsed);
}

class FactWalker {
  readonly paramUses: ParamUse[] = [];

  constructor(
    private readonly note: (m: string) => void,
    readonly paramTypes: Map<number, string>,
  ) {}

  scope(inst: Instance): void {
    const s = inst.scope;
    for (const c of s.reads) this.read(inst, c);
    if (!s.lazyOutputs) for (let i = 0; i < s.outputs.length; i++) this.readOutput(inst, i);
    for (const p of s.predicates) {
      switch (p.kind) {
        case 'join':
          this.join(inst, p.left, p.right, p.leftRefs, p.rightRefs);
          break;
        case 'naturalJoin':
          this.natural(inst, p.leftRefs, p.rightRefs);
          break;
        case 'isNull':
        case 'isNotNull':
          for (const b of this.bases(inst, p.column)) b.access[p.kind].add(b.column);
          break;
        case 'prefixLike':
          for (const b of this.bases(inst, p.column)) b.access.addPrefixLike(b.column, p.certain);
          break;
        default: {
          const targets = this.bases(inst, p.column);
          if (p.value.kind !== 'columns') {
            for (const b of targets) (p.kind === 'equality' ? b.access.equality : p.kind === 'range' ? b.access.range : b.access.in).add(b.column);
            this.paramUse(targets, p);
            break;
          }
          // A value made of other relations' columns is a join condition: fixed per outer row.
          for (const b of targets) {
            const others = p.value.columns.flatMap((c) => this.bases(inst, c));
            if (!others.length || others.some((o) => o.access === b.access)) continue;
            (p.kind === 'equality' ? b.access.joinColumns : p.kind === 'range' ? b.access.range : b.access.in).add(b.column);
          }
        }
      }
    }
    // Inside OR branches: where parameter values come from, nothing an index is chosen by.
    for (const p of s.branchPredicates) {
      if (p.kind === 'equality' || p.kind === 'range' || p.kind === 'in') this.paramUse(this.bases(inst, p.column), p);
    }
    for (const c of s.orColumns) for (const b of this.bases(inst, c)) b.access.orColumns.add(b.column);
    for (const h of s.paramHints) {
      const [target] = this.bases(inst, h.column);
      if (target) this.inferParams(target, h.params, h.array);
    }
    for (const c of s.constants) {
      for (const b of this.bases(inst, c.column)) b.access.addConstant(b.column, c.prefix + identSql(b.column) + c.suffix);
    }
    for (const g of s.groupBy) for (const b of this.bases(inst, g, 'order')) b.access.groupBy.add(b.column);
    this.orderBy(inst, s.orderBy);
    if (s.hasLimit && s.relations.length === 1) for (const b of this.directBases(inst)) b.limit = true;
    if (s.writes) {
      const target = inst.refs.find((r) => r.ref.id === s.writes!.target)?.target;
      if (target?.kind === 'base') s.writes.columns.forEach((c) => target.access.columnsWritten.add(c));
    }
  }

  /** The parameters of `col = $1`, `col >= $2 + $3`, `col IN ($4, $5)`: compared with the column. */
  private paramUse([b]: BaseColumn[], p: Extract<Predicate, { kind: 'equality' | 'range' | 'in' }>): void {
    if (!b || p.value.kind !== 'param' || !p.value.params.length) return;
    for (const param of p.value.params) {
      this.paramUses.push({ param, schema: b.access.rel.schema, table: b.access.rel.name, column: b.column, kind: p.kind, ...(p.kind === 'range' ? { op: p.op } : {}), group: p.value.params });
    }
  }

  /** `col = $1`, `col <= $8 + $9`: the parameters take the column's type, unless cast. */
  private inferParams(target: BaseColumn, params: number[], array: boolean): void {
    const type = target.access.rel.columns.find((c) => c.name === target.column)?.type;
    if (!type) return;
    for (const n of params) if (!this.paramTypes.has(n)) this.paramTypes.set(n, array ? `${type}[]` : type);
  }

  /** Only an ORDER BY made entirely of one reference's columns can come from an index. */
  private orderBy(inst: Instance, items: OrderItem[]): void {
    if (!items.length) return;
    const cols = items.map((o) => this.bases(inst, o.column, 'order'));
    if (cols.some((c) => c.length !== 1) || cols.some((c) => c[0].access !== cols[0][0].access)) return;
    const access = cols[0][0].access;
    if (access.orderBy.length) return;
    access.orderBy = items.map((o, i) => ({ column: cols[i][0].column, direction: o.direction, nulls: o.nulls }));
    access.limit ||= inst.scope.hasLimit;
  }

  private join(inst: Instance, left: ColumnName, right: ColumnName, leftRefs?: number[], rightRefs?: number[]): void {
    const l = this.bases(inst, left, 'predicate', leftRefs);
    const r = this.bases(inst, right, 'predicate', rightRefs);
    for (const a of l) for (const b of r) {
      if (a.access === b.access) continue;
      a.access.joinColumns.add(a.column);
      b.access.joinColumns.add(b.column);
    }
    // The other side is a function, a recursive CTE's own rows, a grouped subquery…: still a
    // value per outer row, so this side's column is a join key all the same.
    if (!r.length && typeof lookup(inst, right, rightRefs) !== 'string') l.forEach((a) => a.access.joinColumns.add(a.column));
    if (!l.length && typeof lookup(inst, left, leftRefs) !== 'string') r.forEach((b) => b.access.joinColumns.add(b.column));
    if (leftRefs) {
      // USING: the columns are read on both sides (the parse stage left them to us).
      this.read(inst, left, leftRefs);
      this.read(inst, right, rightRefs);
    }
  }

  private natural(inst: Instance, leftRefs: number[], rightRefs: number[]): void {
    const names = (ids: number[]) => inst.refs.filter((r) => ids.includes(r.ref.id)).flatMap((r) => columnNames(r));
    const right = new Set(names(rightRefs));
    for (const name of new Set(names(leftRefs))) if (right.has(name)) this.join(inst, { name }, { name }, leftRefs, rightRefs);
  }

  /** The base columns a column stands for (several through a UNION), or none when it cannot map. */
  bases(inst: Instance, col: ColumnName, mode: Mode = 'predicate', restrict?: number[]): BaseColumn[] {
    const found = lookup(inst, col, restrict);
    if (typeof found === 'string') {
      if (!isWholeRow(inst, col)) this.note(`column ${display(col)}: ${found}`);
      return [];
    }
    return found.refs.flatMap((r) => this.follow(r.target, col.name, mode));
  }

  private follow(t: RefTarget, name: string, mode: Mode): BaseColumn[] {
    if (t.kind === 'base') return t.access.rel.columns.some((c) => c.name === name) ? [{ access: t.access, column: name }] : [];
    if (t.kind === 'opaque' || !pushable(t, mode)) return [];
    const index = outputNames(t).indexOf(name);
    if (index < 0) return this.throughStar(t.inst, name, mode);
    return branchesOf(t.inst).flatMap((b) => {
      const out = b.scope.outputs[index];
      return out?.column ? this.bases(b, out.column, mode) : [];
    });
  }

  private throughStar(body: Instance, name: string, mode: Mode): BaseColumn[] {
    const star = body.scope.outputs.find((o) => o.star);
    return star ? this.bases(body, { name, qualifier: star.star!.qualifier }, mode) : [];
  }

  /** Marks a column read: on its table, or through a body's output to what that output reads. */
  read(inst: Instance, col: ColumnName, restrict?: number[]): void {
    const found = lookup(inst, col, restrict);
    if (typeof found === 'string') {
      // A bare relation name is a whole-row reference (`SELECT t FROM t`, `count(t)`).
      const whole = isWholeRow(inst, col);
      if (whole) this.readAll(whole);
      else this.note(`column ${display(col)}: ${found}`);
      return;
    }
    for (const r of found.refs) this.readThrough(r.target, col.name);
  }

  private readThrough(t: RefTarget, name: string): void {
    if (t.kind === 'base') {
      if (t.access.rel.columns.some((c) => c.name === name)) t.access.columnsRead.add(name);
      return;
    }
    if (t.kind === 'opaque') return;
    const index = outputNames(t).indexOf(name);
    if (index >= 0) for (const b of branchesOf(t.inst)) this.readOutput(b, index);
    else {
      const star = t.inst.scope.outputs.find((o) => o.star);
      if (star) this.read(t.inst, { name, qualifier: star.star!.qualifier });
    }
  }

  private readOutput(inst: Instance, index: number): void {
    const out = inst.scope.outputs[index];
    if (!out) return;
    if (out.star) for (const r of inst.refs) if (!out.star.qualifier || r.visible === out.star.qualifier) this.readAll(r);
    for (const c of out.reads) this.read(inst, c);
  }

  private readAll(r: BoundRef): void {
    const t = r.target;
    if (t.kind === 'base') t.access.readAll = true;
    else if (t.kind === 'body') for (const b of branchesOf(t.inst)) b.scope.outputs.forEach((_, i) => this.readOutput(b, i));
  }

  /** Accesses of base tables named directly in this scope. */
  private directBases(inst: Instance): Access[] {
    return inst.refs.flatMap((r) => (r.target.kind === 'base' ? [r.target.access] : []));
  }
}

/** A set operation's rows come from each branch (nested set operations flattened). */
function branchesOf(inst: Instance): Instance[] {
  return inst.branches.length ? inst.branches.flatMap(branchesOf) : [inst];
}

/**
 * Would PostgreSQL apply an outer condition (or order) inside the body? Not past a LIMIT, not
 * into a CTE it materializes (MATERIALIZED, recursive, referenced twice, or not a SELECT; docs,
 * WITH Queries), and an order not past grouping or a set operation.
 */
function pushable(t: Extract<RefTarget, { kind: 'body' }>, mode: Mode): boolean {
  const scope = t.inst.scope;
  if (branchesOf(t.inst).some((b) => b.scope.hasLimit) || scope.hasLimit) return false;
  if (t.cte) {
    const { def, refCount } = t.cte;
    if (def.materialized === 'always' || def.recursive || refCount > 1 || scope.kind !== 'select') return false;
  }
  return mode === 'predicate' || !scope.aggregates;
}

function columnNames(r: BoundRef): string[] {
  const t = r.target;
  if (t.kind === 'base') return t.access.rel.columns.map((c) => c.name);
  if (t.kind === 'opaque') return t.columns ?? [];
  return outputNames(t).filter((n) => n !== '*' && hasColumn(r, n));
}

/** A bare relation name used as a value: `SELECT t FROM t`, `GROUP BY t`. */
function isWholeRow(inst: Instance, col: ColumnName): BoundRef | undefined {
  if (col.qualifier !== undefined) return undefined;
  for (let i: Instance | undefined = inst; i; i = i.parent) {
    const hit = i.refs.find((r) => r.visible === col.name);
    if (hit) return hit;
  }
  return undefined;
}

function display(c: ColumnName): string {
  return [c.schema, c.qualifier, c.name].filter(Boolean).join('.');
}
