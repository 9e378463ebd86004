/**
 * Name resolution, the way PostgreSQL does it: each scope of a statement becomes an instance
 * whose FROM references are bound to a base table (catalog), a body (subquery, CTE or view,
 * itself an instance), or something opaque (a function). A column is then looked up in its
 * scope, and outwards through enclosing scopes for correlated references. Views are expanded
 * per reference, so a view used twice gives two accesses to its tables.
 */
import { parseStatement } from './parse';
import type { ColumnName, CteDef, ParsedStatement, ParseOutcome, QueryScope, RelationRef } from './parse-types';
import { Access } from './resolve-usage';
import type { Catalog, CatalogRelation } from './types';

export interface CteState {
  def: CteDef;
  /** Undefined while the CTE's own body is being built: a recursive self-reference. */
  inst?: Instance;
  refCount: number;
}

export type RefTarget =
  | { kind: 'base'; access: Access }
  /** `names` overrides output names by position: column aliases, or a view's catalog columns. */
  | { kind: 'body'; inst: Instance; names?: string[]; cte?: CteState }
  | { kind: 'opaque'; columns?: string[] };

export interface BoundRef {
  ref: RelationRef;
  /** The name the scope sees it by: its alias, else its relation name. */
  visible?: string;
  schema?: string;
  target: RefTarget;
}

export class Instance {
  readonly refs: BoundRef[] = [];
  readonly ctes = new Map<string, CteState>();
  branches: Instance[] = [];

  constructor(
    readonly stmt: ParsedStatement,
    readonly scope: QueryScope,
    readonly parent: Instance | undefined,
    readonly via: string[],
  ) {}
}

/** Sub-link scopes by their parent scope, computed once per parsed statement. */
const childIndex = new WeakMap<ParsedStatement, Map<number, QueryScope[]>>();

function sublinksOf(stmt: ParsedStatement, scope: number): QueryScope[] {
  let index = childIndex.get(stmt);
  if (!index) {
    index = new Map();
    for (const s of stmt.scopes) {
      if (s.role === 'sublink' && s.parent !== undefined) index.set(s.parent, [...(index.get(s.parent) ?? []), s]);
    }
    childIndex.set(stmt, index);
  }
  return index.get(scope) ?? [];
}

/** Views nest, but never in a cycle; this bounds a catalog that says otherwise. */
const MAX_VIEW_DEPTH = 32;

export class Binder {
  readonly instances: Instance[] = [];
  readonly accesses: Access[] = [];

  constructor(
    private readonly catalog: Catalog,
    private readonly views: Map<number, ParseOutcome>,
    private readonly note: (msg: string) => void,
  ) {}

  instantiate(stmt: ParsedStatement, scopeId: number, parent: Instance | undefined, via: string[]): Instance {
    const scope = stmt.scopes[scopeId];
    const inst = new Instance(stmt, scope, parent, via);
    this.instances.push(inst);
    for (const def of scope.ctes) {
      const state: CteState = { def, refCount: 0 };
      inst.ctes.set(def.name, state);
      state.inst = this.instantiate(stmt, def.scope, inst, [...via, def.name]);
    }
    for (const ref of scope.relations) inst.refs.push(this.bind(inst, ref));
    inst.branches = (scope.branches ?? []).map((b) => this.instantiate(stmt, b, inst, via));
    for (const s of sublinksOf(stmt, scopeId)) this.instantiate(stmt, s.id, inst, via);
    return inst;
  }

  private bind(inst: Instance, ref: RelationRef): BoundRef {
    const bound: BoundRef = { ref, visible: ref.alias, target: { kind: 'opaque', columns: ref.columnAliases } };
    if (ref.kind === 'subquery') {
      bound.target = { kind: 'body', inst: this.instantiate(inst.stmt, ref.scope, inst, inst.via), names: ref.columnAliases };
      return bound;
    }
    if (ref.kind !== 'relation') return bound;
    bound.visible = ref.alias ?? ref.name;
    // An unqualified name is a CTE first: a CTE shadows a table of the same name.
    const cte = ref.schema === undefined ? findCte(inst, ref.name) : undefined;
    if (cte) {
      cte.refCount++;
      if (cte.inst) bound.target = { kind: 'body', inst: cte.inst, names: ref.columnAliases ?? cte.def.columnAliases, cte };
      else bound.target = { kind: 'opaque', columns: ref.columnAliases ?? cte.def.columnAliases };
      return bound;
    }
    const rel = this.catalog.lookup(ref.schema, ref.name);
    if (!rel) {
      this.note(`relation ${ref.schema ? ref.schema + '.' : ''}${ref.name} is not in the catalog`);
      return bound;
    }
    bound.schema = rel.schema;
    if (rel.kind === 'view') {
      const body = this.viewBody(rel, inst.via);
      if (body) bound.target = { kind: 'body', inst: body, names: aliasedNames(ref.columnAliases, viewColumns(rel)) };
      return bound;
    }
    const access = new Access(rel, inst.via);
    this.accesses.push(access);
    bound.target = { kind: 'base', access };
    return bound;
  }

  private viewBody(rel: CatalogRelation, via: string[]): Instance | undefined {
    if (via.length >= MAX_VIEW_DEPTH) {
      this.note(`view ${rel.schema}.${rel.name} nests deeper than ${MAX_VIEW_DEPTH} levels`);
      return undefined;
    }
    let parsed = this.views.get(rel.oid);
    if (!parsed) {
      parsed = rel.viewDefinition ? parseStatement(rel.viewDefinition) : { ok: false, reason: 'empty', message: 'no view definition' };
      this.views.set(rel.oid, parsed);
    }
    if (!parsed.ok) {
      this.note(`view ${rel.schema}.${rel.name}: ${parsed.message}`);
      return undefined;
    }
    return this.instantiate(parsed, parsed.main, undefined, [...via, `${rel.schema}.${rel.name}`]);
  }
}

function findCte(inst: Instance, name: string): CteState | undefined {
  for (let i: Instance | undefined = inst; i; i = i.parent) {
    const cte = i.ctes.get(name);
    if (cte) return cte;
  }
  return undefined;
}

function viewColumns(rel: CatalogRelation): string[] {
  return [...rel.columns].sort((a, b) => a.attnum - b.attnum).map((c) => c.name);
}

/** `FROM v AS x(a, b)` renames the first columns only. */
function aliasedNames(aliases: string[] | undefined, names: string[]): string[] {
  return aliases ? names.map((n, i) => aliases[i] ?? n) : names;
}

/** Output names of a body, `names` overriding by position. Stars are left as '*'. */
export function outputNames(target: Extract<RefTarget, { kind: 'body' }>): string[] {
  const own = target.inst.scope.outputs.map((o) => o.name);
  return target.names ? own.map((n, i) => target.names![i] ?? n).concat(target.names.slice(own.length)) : own;
}

export function hasColumn(b: BoundRef, name: string): boolean {
  const t = b.target;
  if (t.kind === 'base') return t.access.rel.columns.some((c) => c.name === name);
  if (t.kind === 'opaque') return !!t.columns?.includes(name);
  if (outputNames(t).includes(name)) return true;
  // `SELECT *` / `SELECT t.*` inside the body: the column may come through it.
  return t.inst.scope.outputs.some((o) => o.star && t.inst.refs.some((r) => (!o.star!.qualifier || r.visible === o.star!.qualifier) && hasColumn(r, name)));
}

export type Lookup = { inst: Instance; refs: BoundRef[] } | 'ambiguous' | 'unknown';

/**
 * The reference(s) a column belongs to: by qualifier, else the one relation in scope having the
 * column, searching outwards. Two candidates joined USING that column are both returned (for
 * an inner join the planner applies the condition to both sides).
 */
export function lookup(inst: Instance, col: ColumnName, restrict?: number[]): Lookup {
  for (let i: Instance | undefined = inst; i; i = i.parent) {
    const refs = i === inst && restrict ? i.refs.filter((r) => restrict.includes(r.ref.id)) : i.refs;
    if (col.qualifier !== undefined) {
      const hit = refs.find((r) => r.visible === col.qualifier && (col.schema === undefined || r.schema === col.schema || r.ref.kind === 'relation' && r.ref.schema === col.schema));
      if (hit) return { inst: i, refs: [hit] };
      continue;
    }
    const hits = refs.filter((r) => hasColumn(r, col.name));
    if (hits.length === 1) return { inst: i, refs: hits };
    if (hits.length > 1) return joinedUsing(i, col.name, hits) ? { inst: i, refs: hits } : 'ambiguous';
  }
  return 'unknown';
}

function joinedUsing(inst: Instance, name: string, hits: BoundRef[]): boolean {
  const joined = new Set<number>();
  for (const p of inst.scope.predicates) {
    if (p.kind === 'join' && p.leftRefs && p.left.name === name) [...p.leftRefs, ...(p.rightRefs ?? [])].forEach((id) => joined.add(id));
  }
  return hits.every((h) => joined.has(h.ref.id));
}
