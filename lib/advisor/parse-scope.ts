/**
 * Builds the query scopes of a statement: the main query, each CTE, each subquery (in FROM,
 * WHERE or the target list) and each branch of a UNION / INTERSECT / EXCEPT is one scope, with
 * a pointer to the scope it is nested in, because that is how PostgreSQL resolves names.
 */
import type { A_Expr, DeleteStmt, InsertStmt, Node, RangeVar, ResTarget, SelectStmt, UpdateStmt, WithClause } from 'libpg-query';
import { columnOf, conjuncts, outputName, scanExpr, starOf, valueOf } from './parse-expr';
import { branchPredicates, everyBranchColumns, splitOr } from './parse-or';
import { addFromItem } from './parse-from';
import { names, nodeAs, operatorName, walk } from './parse-nodes';
import { groupItems, orderItems } from './parse-order';
import { classifyConjunct } from './parse-predicates';
import type { ColumnName, CteDef, Output, ParamHint, QueryScope, ScopeRole, StatementKind } from './parse-types';

export class ScopeBuilder {
  readonly scopes: QueryScope[] = [];
  private nextRef = 1;

  refId(): number {
    return this.nextRef++;
  }

  newScope(role: ScopeRole, parent: number | undefined, lazyOutputs: boolean): QueryScope {
    const s: QueryScope = {
      id: this.scopes.length,
      role,
      kind: 'select',
      parent,
      ctes: [],
      relations: [],
      predicates: [],
      branchPredicates: [],
      orColumns: [],
      constants: [],
      nonSargable: [],
      orderBy: [],
      groupBy: [],
      reads: [],
      outputs: [],
      paramHints: [],
      hasLimit: false,
      limitParams: [],
      offsetParams: [],
      lazyOutputs,
      aggregates: false,
    };
    this.scopes.push(s);
    return s;
  }

  /** Any statement node; returns its scope id and kind ('other' gets an empty scope). */
  statement(node: Node | undefined, role: ScopeRole, parent: number | undefined, lazy: boolean): { id: number; kind: StatementKind } {
    const select = nodeAs(node, 'SelectStmt');
    if (select) return { id: this.select(select, role, parent, lazy), kind: 'select' };
    const update = nodeAs(node, 'UpdateStmt');
    if (update) return this.kindOf(this.update(update, role, parent, lazy), 'update');
    const del = nodeAs(node, 'DeleteStmt');
    if (del) return this.kindOf(this.delete(del, role, parent, lazy), 'delete');
    const insert = nodeAs(node, 'InsertStmt');
    if (insert) return this.kindOf(this.insert(insert, role, parent, lazy), 'insert');
    return this.kindOf(this.newScope(role, parent, lazy).id, 'other');
  }

  private kindOf(id: number, kind: StatementKind): { id: number; kind: StatementKind } {
    this.scopes[id].kind = kind;
    return { id, kind };
  }

  select(stmt: SelectStmt, role: ScopeRole, parent: number | undefined, lazy: boolean): number {
    const s = this.newScope(role, parent, lazy);
    this.withClause(s, stmt.withClause);
    s.hasLimit = stmt.limitCount !== undefined && !isNullConst(stmt.limitCount);
    const param = (n: unknown) => (n as { ParamRef?: { number?: number } } | undefined)?.ParamRef?.number;
    if (param(stmt.limitCount)) s.limitParams.push(param(stmt.limitCount)!);
    if (param(stmt.limitOffset)) s.offsetParams.push(param(stmt.limitOffset)!);
    this.read(s, [stmt.limitCount, stmt.limitOffset]);
    if (stmt.op && stmt.op !== 'SETOP_NONE') {
      // Each branch is a scope; the set operation's outputs are its first branch's names.
      s.aggregates = true;
      s.branches = [stmt.larg, stmt.rarg].filter((b): b is SelectStmt => !!b).map((b) => this.select(b, 'branch', s.id, lazy));
      s.outputs = this.scopes[s.branches[0]]?.outputs.map((o) => ({ name: o.name, reads: [] })) ?? [];
      return s.id;
    }
    for (const item of stmt.fromClause ?? []) addFromItem(this, s, item);
    (stmt.valuesLists ?? []).forEach((row, r) => {
      (nodeAs(row, 'List')?.items ?? []).forEach((v, i) => {
        const reads = this.expr(s, v);
        if (r === 0) s.outputs.push({ name: `column${i + 1}`, reads });
        else s.outputs[i]?.reads.push(...reads);
      });
    });
    for (const t of stmt.targetList ?? []) {
      const rt = nodeAs(t, 'ResTarget');
      if (rt) s.outputs.push(this.output(s, rt));
    }
    this.where(s, stmt.whereClause);
    s.aggregates = !!(stmt.groupClause?.length || stmt.distinctClause?.length);
    s.groupBy = groupItems(stmt.groupClause, s.outputs);
    s.orderBy = orderItems(stmt.sortClause, s.outputs);
    // ORDER BY / GROUP BY may name an output alias (`ORDER BY total`): not a column to look up.
    const aliases = new Set(s.outputs.filter((o) => o.column?.name !== o.name).map((o) => o.name));
    const byAlias = (c: ColumnName) => c.qualifier === undefined && aliases.has(c.name);
    s.reads.push(...this.expr(s, [stmt.groupClause, stmt.sortClause]).filter((c) => !byAlias(c)));
    s.reads.push(...s.groupBy, ...s.orderBy.map((o) => o.column));
    this.read(s, [stmt.havingClause, stmt.windowClause, stmt.distinctClause]);
    return s.id;
  }

  update(stmt: UpdateStmt, role: ScopeRole, parent: number | undefined, lazy: boolean): number {
    const s = this.newScope(role, parent, lazy);
    this.withClause(s, stmt.withClause);
    const target = stmt.relation ? addFromItem(this, s, { RangeVar: stmt.relation })[0] : 0;
    for (const item of stmt.fromClause ?? []) addFromItem(this, s, item);
    const columns: string[] = [];
    for (const t of stmt.targetList ?? []) {
      const rt = nodeAs(t, 'ResTarget');
      if (rt?.name) columns.push(rt.name);
      this.read(s, [rt?.val]);
      if (rt && stmt.relation) s.paramHints.push(...setHints(stmt.relation, rt));
    }
    s.writes = { target, columns };
    this.where(s, stmt.whereClause);
    this.returning(s, stmt.returningClause?.exprs);
    return s.id;
  }

  delete(stmt: DeleteStmt, role: ScopeRole, parent: number | undefined, lazy: boolean): number {
    const s = this.newScope(role, parent, lazy);
    this.withClause(s, stmt.withClause);
    if (stmt.relation) addFromItem(this, s, { RangeVar: stmt.relation });
    for (const item of stmt.usingClause ?? []) addFromItem(this, s, item);
    this.where(s, stmt.whereClause);
    this.returning(s, stmt.returningClause?.exprs);
    return s.id;
  }

  /** The target takes no predicate; the rows come from the SELECT (or VALUES), a scope below. */
  insert(stmt: InsertStmt, role: ScopeRole, parent: number | undefined, lazy: boolean): number {
    const s = this.newScope(role, parent, lazy);
    this.withClause(s, stmt.withClause);
    if (stmt.selectStmt) this.statement(stmt.selectStmt, 'sublink', s.id, false);
    this.returning(s, stmt.returningClause?.exprs);
    return s.id;
  }

  /** Columns an expression reads in scope `s`; each subquery inside becomes a scope below `s`. */
  expr(s: QueryScope, node: unknown): ColumnName[] {
    const columns: ColumnName[] = [];
    walk(node, (kind, body, n) => {
      if (kind === 'SubLink') {
        if (body.testexpr) columns.push(...this.expr(s, body.testexpr));
        this.statement(body.subselect as Node, 'sublink', s.id, false);
        return false;
      }
      if (kind === 'ColumnRef') {
        const c = columnOf(n);
        if (c) columns.push(c);
        return false;
      }
      if (kind === 'A_Expr') s.paramHints.push(...paramHints(body as A_Expr));
    });
    return columns;
  }

  read(s: QueryScope, nodes: unknown[]): void {
    s.reads.push(...this.expr(s, nodes));
  }

  /** WHERE or JOIN … ON: facts from each top-level conjunct, reads and subqueries from all. */
  where(s: QueryScope, clause: Node | undefined): void {
    if (!clause) return;
    this.read(s, [clause]);
    for (const c of conjuncts(clause)) this.conjunct(s, c);
  }

  /** An OR contributes the conditions all its branches share, as the planner does (parse-or.ts). */
  private conjunct(s: QueryScope, c: Node): void {
    const or = splitOr(c);
    if (or) {
      for (const shared of or.common) this.conjunct(s, shared);
      if (!or.branches.length) return;
      s.branchPredicates.push(...branchPredicates(or.branches));
      s.orColumns.push(...everyBranchColumns(or.branches));
      const columns = scanExpr(or.branches).columns;
      if (columns.length) s.nonSargable.push({ reason: 'or', columns });
      return;
    }
    const facts = classifyConjunct(c);
    s.predicates.push(...facts.predicates);
    s.constants.push(...facts.constants);
    s.nonSargable.push(...facts.nonSargable);
  }

  private output(s: QueryScope, rt: ResTarget): Output {
    const star = starOf(rt.val);
    if (star) return { name: '*', reads: [], star };
    const reads = this.expr(s, rt.val);
    const out: Output = { name: rt.name ?? outputName(rt.val), reads };
    const column = columnOf(rt.val);
    if (column) out.column = column;
    return out;
  }

  private returning(s: QueryScope, exprs: Node[] | undefined): void {
    for (const t of exprs ?? []) {
      const rt = nodeAs(t, 'ResTarget');
      if (rt) s.outputs.push(this.output(s, rt));
    }
  }

  private withClause(s: QueryScope, w: WithClause | undefined): void {
    for (const c of w?.ctes ?? []) {
      const cte = nodeAs(c, 'CommonTableExpr');
      if (!cte?.ctename) continue;
      const materialized = cte.ctematerialized === 'CTEMaterializeAlways' ? 'always' : cte.ctematerialized === 'CTEMaterializeNever' ? 'never' : 'default';
      // Declared before its body is built: a recursive CTE refers to itself.
      const def: CteDef = { name: cte.ctename, scope: -1, materialized, recursive: !!w?.recursive };
      if (cte.aliascolnames) def.columnAliases = names(cte.aliascolnames);
      s.ctes.push(def);
      def.scope = this.statement(cte.ctequery, 'cte', s.id, true).id;
    }
  }
}

/** Operators whose operands share a type; `jsonb ? text` or `@>` would mislead. */
const SAME_TYPE_OPS = new Set(['=', '<>', '<', '<=', '>', '>=', '~~', '!~~', '~~*', '!~~*', 'BETWEEN', 'NOT BETWEEN', 'BETWEEN SYMMETRIC', 'NOT BETWEEN SYMMETRIC']);

function paramHints(e: A_Expr): ParamHint[] {
  if (!SAME_TYPE_OPS.has(operatorName(e.name))) return [];
  const hint = (colNode: Node | undefined, other: Node | undefined): ParamHint[] => {
    const column = columnOf(colNode);
    const value = column && other ? valueOf(other) : undefined;
    return column && value?.untyped && value.params.length ? [{ column, params: value.params, array: e.kind === 'AEXPR_OP_ANY' }] : [];
  };
  if (!e.lexpr) return []; // prefix operator
  return [...hint(e.lexpr, e.rexpr), ...(e.kind === 'AEXPR_OP' ? hint(e.rexpr, e.lexpr) : [])];
}

/**
 * `SET col = $1` types $1 as the column. The planned text is a SELECT that drops SET values
 * (plan-text.ts), so nothing else would type such a parameter and PREPARE would fail on it.
 * A subscripted or field target (`SET a[1] = $1`) takes another type: no hint.
 */
function setHints(target: RangeVar, rt: ResTarget): ParamHint[] {
  if (!rt.name || rt.indirection?.length) return [];
  const multi = nodeAs(rt.val, 'MultiAssignRef');
  const value = multi ? nodeAs(multi.source, 'RowExpr')?.args?.[(multi.colno ?? 0) - 1] : rt.val;
  const v = value ? valueOf(value) : undefined;
  if (!v?.untyped || !v.params.length) return [];
  const alias = target.alias?.aliasname;
  const column: ColumnName = alias ? { qualifier: alias, name: rt.name } : { qualifier: target.relname, name: rt.name };
  if (!alias && target.schemaname) column.schema = target.schemaname;
  return [{ column, params: v.params, array: false }];
}

function isNullConst(n: Node | undefined): boolean {
  return !!nodeAs(n, 'A_Const')?.isnull; // LIMIT ALL / LIMIT NULL
}
