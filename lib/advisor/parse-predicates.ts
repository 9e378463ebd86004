/**
 * One conjunct of a WHERE / JOIN … ON → the index-relevant facts it states. Only conjuncts of
 * the top-level AND can narrow an index scan on their own; an OR, a NOT or a function of the
 * column is recorded as non-sargable (its columns are still read). The scope builder splits a
 * top-level OR first (parse-or.ts): what all its branches share is classified here as a conjunct.
 */
import type { A_Expr, Node } from 'libpg-query';
import { columnOf, constSql, isParam, scanExpr, stringConst, valueOf } from './parse-expr';
import { nodeAs, operatorName } from './parse-nodes';
import type { ColumnName, ConstantPredicate, NonSargable, Predicate, RangeOp } from './parse-types';

export interface ConjunctFacts {
  predicates: Predicate[];
  constants: ConstantPredicate[];
  nonSargable: NonSargable[];
}

const RANGE_OPS = new Set(['<', '<=', '>', '>=']);
/** `$1 < col` is `col > $1`. */
const FLIPPED: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };

export function classifyConjunct(node: Node): ConjunctFacts {
  const facts: ConjunctFacts = { predicates: [], constants: [], nonSargable: [] };
  const nonSargable = (reason: NonSargable['reason'], n: unknown) => {
    const columns = scanExpr(n).columns;
    if (columns.length) facts.nonSargable.push({ reason, columns });
  };
  const constant = (column: ColumnName, suffix: string, prefix = '') => facts.constants.push({ column, prefix, suffix });

  const aexpr = nodeAs(node, 'A_Expr');
  if (aexpr) {
    classifyAExpr(aexpr, facts, nonSargable, constant);
    return facts;
  }
  const col = columnOf(node);
  if (col) {
    constant(col, ''); // a bare boolean column: WHERE active
    return facts;
  }
  const nullTest = nodeAs(node, 'NullTest');
  if (nullTest) {
    const c = columnOf(nullTest.arg);
    if (!c) nonSargable('expression', node);
    else if (nullTest.nulltesttype === 'IS_NOT_NULL') {
      facts.predicates.push({ kind: 'isNotNull', column: c });
      constant(c, ' IS NOT NULL');
    } else {
      facts.predicates.push({ kind: 'isNull', column: c });
      constant(c, ' IS NULL');
    }
    return facts;
  }
  const boolTest = nodeAs(node, 'BooleanTest');
  if (boolTest) {
    const c = columnOf(boolTest.arg);
    if (c) constant(c, ' IS ' + (boolTest.booltesttype ?? 'IS_TRUE').slice(3).replace('_', ' '));
    else nonSargable('expression', node);
    return facts;
  }
  const bool = nodeAs(node, 'BoolExpr');
  if (bool) {
    const c = bool.boolop === 'NOT_EXPR' ? columnOf(bool.args?.[0]) : undefined;
    if (c) constant(c, '', 'NOT ');
    else nonSargable(bool.boolop === 'OR_EXPR' ? 'or' : 'not', node);
    return facts;
  }
  const sublink = nodeAs(node, 'SubLink');
  if (sublink) {
    // x IN (SELECT …): a semi-join on x. EXISTS has no column of this scope to test.
    const c = sublink.subLinkType === 'ANY_SUBLINK' && operatorName(sublink.operName ?? []) !== '<>' ? columnOf(sublink.testexpr) : undefined;
    if (c) facts.predicates.push({ kind: 'in', column: c, value: valueOf(node) });
    else if (sublink.testexpr) nonSargable('expression', sublink.testexpr);
    return facts;
  }
  nonSargable('expression', node);
  return facts;
}

type Flag = (reason: NonSargable['reason'], n: unknown) => void;
type Constant = (column: ColumnName, suffix: string, prefix?: string) => void;

function classifyAExpr(e: A_Expr, facts: ConjunctFacts, nonSargable: Flag, constant: Constant): void {
  const op = operatorName(e.name);
  const node = { A_Expr: e } as Node;
  switch (e.kind) {
    case 'AEXPR_OP': {
      const rowL = nodeAs(e.lexpr, 'RowExpr');
      const rowR = nodeAs(e.rexpr, 'RowExpr');
      if (op === '=' && rowL && rowR && rowL.args?.length === rowR.args?.length) {
        // (a, b) = ($1, $2) is a = $1 AND b = $2.
        rowL.args!.forEach((l, i) => {
          const part = classifyConjunct({ A_Expr: { kind: 'AEXPR_OP', name: e.name, lexpr: l, rexpr: rowR.args![i] } } as Node);
          facts.predicates.push(...part.predicates);
          facts.constants.push(...part.constants);
          facts.nonSargable.push(...part.nonSargable);
        });
        return;
      }
      let col = columnOf(e.lexpr);
      let other = e.rexpr;
      let theOp = op;
      const right = columnOf(e.rexpr);
      if (col && right) {
        if (op === '=') facts.predicates.push({ kind: 'join', left: col, right });
        else nonSargable('operator', node);
        return;
      }
      if (!col && right && FLIPPED[op]) {
        col = right;
        other = e.lexpr;
        theOp = FLIPPED[op];
      }
      if (!col) return nonSargable('expression', node);
      const value = valueOf(other);
      const sql = value.kind === 'const' ? constSql(other) : undefined;
      if (sql !== undefined) constant(col, ` ${theOp} ${sql}`);
      if (theOp === '=') facts.predicates.push({ kind: 'equality', column: col, value });
      else if (RANGE_OPS.has(theOp)) facts.predicates.push({ kind: 'range', column: col, op: theOp as RangeOp, value });
      else nonSargable('operator', node);
      return;
    }
    case 'AEXPR_OP_ANY':
    case 'AEXPR_IN': {
      const col = columnOf(e.lexpr);
      if (!col) return nonSargable('expression', node);
      const value = valueOf(e.rexpr);
      const sql = e.kind === 'AEXPR_IN' && value.kind === 'const' ? constSql(e.rexpr) : undefined;
      if (op === '=') {
        facts.predicates.push({ kind: 'in', column: col, value });
        if (sql !== undefined) constant(col, ` IN ${sql}`);
      } else {
        if (sql !== undefined && op === '<>') constant(col, ` NOT IN ${sql}`);
        nonSargable('not', node);
      }
      return;
    }
    case 'AEXPR_BETWEEN':
    case 'AEXPR_BETWEEN_SYM': {
      const col = columnOf(e.lexpr);
      if (!col) return nonSargable('expression', node);
      const bounds = nodeAs(e.rexpr, 'List')?.items ?? [];
      const value = valueOf(e.rexpr);
      facts.predicates.push({ kind: 'range', column: col, op: 'between', value });
      const [lo, hi] = bounds.map(constSql);
      if (value.kind === 'const' && lo !== undefined && hi !== undefined && e.kind === 'AEXPR_BETWEEN') constant(col, ` BETWEEN ${lo} AND ${hi}`);
      return;
    }
    case 'AEXPR_LIKE': {
      const col = columnOf(e.lexpr);
      const pattern = stringConst(e.rexpr);
      if (!col || op !== '~~') return nonSargable(op === '~~' ? 'expression' : 'not', node);
      if (pattern !== undefined) {
        constant(col, ` LIKE ${constSql(e.rexpr)}`);
        // A B-tree serves a LIKE whose pattern starts with a fixed prefix (under the C
        // collation or a text_pattern_ops index, which the next stage decides).
        if (pattern.length && pattern[0] !== '%' && pattern[0] !== '_') facts.predicates.push({ kind: 'prefixLike', column: col, certain: true });
        else nonSargable('operator', node);
      } else if (isParam(e.rexpr)) facts.predicates.push({ kind: 'prefixLike', column: col, certain: false });
      else nonSargable('expression', node);
      return;
    }
    default:
      // ILIKE, SIMILAR TO, IS DISTINCT FROM, NOT BETWEEN, NULLIF…: no B-tree search on the column.
      nonSargable(/NOT|DISTINCT/.test(e.kind ?? '') ? 'not' : 'operator', node);
  }
}
