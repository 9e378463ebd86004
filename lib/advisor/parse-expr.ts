/**
 * Reading expressions: which column a node is, what a comparison's other side is made of, the
 * SQL of a constant, the name PostgreSQL gives an output column. Pure functions over the AST.
 */
import type { Node } from 'libpg-query';
import { names, nodeAs, nodeKind, walk } from './parse-nodes';
import type { ColumnName, Value } from './parse-types';
import { typeNameSql } from './parse-type-name';

/** A plain column reference (`c`, `t.c`, `s.t.c`), else undefined. `t.*` is not a column. */
export function columnOf(node: Node | undefined): ColumnName | undefined {
  const ref = nodeAs(node, 'ColumnRef');
  if (!ref) return undefined;
  const parts = names(ref.fields);
  if (parts.includes('*') || parts.some((p) => p === '')) return undefined;
  // A four-part name has a database first; PostgreSQL only accepts the current one.
  const n = parts.length;
  const col: ColumnName = { name: parts[n - 1] };
  if (n >= 2) col.qualifier = parts[n - 2];
  if (n >= 3) col.schema = parts[n - 3];
  return col;
}

/** `*` or `t.*` in a target list. */
export function starOf(node: Node | undefined): { qualifier?: string } | undefined {
  const ref = nodeAs(node, 'ColumnRef');
  if (!ref) return undefined;
  const parts = names(ref.fields);
  if (parts[parts.length - 1] !== '*') return undefined;
  return parts.length >= 2 ? { qualifier: parts[parts.length - 2] } : {};
}

/**
 * Every column an expression reads, and the parameters it uses; subqueries are not entered
 * (they are scopes of their own) but are reported.
 */
export function scanExpr(expr: unknown): { columns: ColumnName[]; params: number[]; sublinks: number; funcs: number; stars: number; untyped: boolean } {
  const out = { columns: [] as ColumnName[], params: [] as number[], sublinks: 0, funcs: 0, stars: 0, untyped: true };
  walk(expr, (kind, body, node) => {
    if (!UNTYPED_NODES.has(kind)) out.untyped = false;
    if (kind === 'SubLink') {
      out.sublinks++;
      // The tested expression of `x IN (SELECT …)` belongs to this scope.
      if (body.testexpr) {
        const inner = scanExpr(body.testexpr);
        out.columns.push(...inner.columns);
        out.params.push(...inner.params);
      }
      return false;
    }
    if (kind === 'ColumnRef') {
      const c = columnOf(node);
      if (c) out.columns.push(c);
      else out.stars++;
      return false;
    }
    if (kind === 'ParamRef') out.params.push((body.number as number) ?? 0);
    if (kind === 'FuncCall' || kind === 'SQLValueFunction') out.funcs++;
  });
  return out;
}

const UNTYPED_NODES = new Set(['ParamRef', 'A_Const', 'A_Expr', 'List', 'String', 'Integer', 'Float', 'Boolean']);

/** Classifies the value side of a comparison. */
export function valueOf(node: Node | undefined): Value {
  const s = scanExpr(node);
  const value = (kind: Value['kind']): Value => ({ kind, columns: s.columns, params: s.params, untyped: s.untyped });
  if (nodeKind(node) === 'SubLink') return value('subquery');
  if (s.columns.length) return value('columns');
  // A subquery or function call inside the value: fixed for one execution, not across them
  // (now(), current_date…), so never a partial-index predicate.
  if (s.params.length || s.sublinks || s.funcs) return value('param');
  return value('const');
}

/** SQL of a constant (a literal, a cast literal, a list of them), or undefined if not that simple. */
export function constSql(node: Node | undefined): string | undefined {
  const c = nodeAs(node, 'A_Const');
  if (c) {
    // libpg-query omits zero values: `{ival: {}}` is 0, `{boolval: {}}` is false.
    if (c.isnull) return 'NULL';
    if (c.ival) return String(c.ival.ival ?? 0);
    if (c.fval) return c.fval.fval;
    if (c.boolval) return c.boolval.boolval ? 'true' : 'false';
    if (c.sval) return `'${(c.sval.sval ?? '').replace(/'/g, "''")}'`;
    if (c.bsval) {
      const v = c.bsval.bsval ?? '';
      return `${v[0] === 'x' ? 'X' : 'B'}'${v.slice(1)}'`;
    }
    return undefined;
  }
  const cast = nodeAs(node, 'TypeCast');
  if (cast?.typeName && !cast.typeName.typmods?.length) {
    const inner = constSql(cast.arg);
    return inner === undefined ? undefined : `${inner}::${typeNameSql(cast.typeName)}`;
  }
  const list = nodeAs(node, 'List');
  if (list) {
    const items = (list.items ?? []).map(constSql);
    return items.every((i) => i !== undefined) ? `(${items.join(', ')})` : undefined;
  }
  return undefined;
}

/** The string of a constant pattern (`LIKE 'abc%'`), else undefined. */
export function stringConst(node: Node | undefined): string | undefined {
  const cast = nodeAs(node, 'TypeCast');
  const c = nodeAs(cast ? cast.arg : node, 'A_Const');
  return c?.sval ? c.sval.sval ?? '' : undefined;
}

export function isParam(node: Node | undefined): boolean {
  const cast = nodeAs(node, 'TypeCast');
  return nodeKind(cast ? cast.arg : node) === 'ParamRef';
}

/** The name PostgreSQL gives an unnamed output column (a subset of FigureColname). */
export function outputName(node: Node | undefined): string {
  const col = columnOf(node);
  if (col) return col.name;
  const fn = nodeAs(node, 'FuncCall');
  if (fn) return names(fn.funcname).pop() ?? '?column?';
  const cast = nodeAs(node, 'TypeCast');
  if (cast) {
    const inner = outputName(cast.arg);
    return inner !== '?column?' ? inner : names(cast.typeName?.names).pop() ?? '?column?';
  }
  if (nodeKind(node) === 'CaseExpr') return 'case';
  return '?column?';
}

/** The conjuncts of a top-level AND (one item when there is no AND). */
export function conjuncts(expr: Node | undefined): Node[] {
  if (!expr) return [];
  const b = nodeAs(expr, 'BoolExpr');
  if (b?.boolop === 'AND_EXPR') return (b.args ?? []).flatMap(conjuncts);
  return [expr];
}
