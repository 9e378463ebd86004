/**
 * A top-level OR, read the way PostgreSQL's planner reads it. Before planning, prepqual.c
 * (`canonicalize_qual` → `process_duplicate_ors`) pulls conditions that every OR branch shares
 * out in front: `(A AND B) OR (A AND C)` is planned as `A AND (B OR C)`, and when some branch
 * is nothing but shared conditions the OR reduces to them (`A OR (A AND B)` is `A`). So a
 * shared condition is a top-level conjunct like any other (a join key, an equality an index
 * can serve). What stays inside the branches cannot narrow one index scan on its own, but its
 * `col = $n` / range / IN comparisons still say what the parameters are compared with, which is
 * where representative values come from (values.ts).
 */
import type { Node } from 'libpg-query';
import { conjuncts } from './parse-expr';
import { nodeAs } from './parse-nodes';
import { classifyConjunct } from './parse-predicates';
import type { ColumnName, Predicate } from './parse-types';

export interface SplitOr {
  /** Conditions in every branch: top-level conjuncts, as the planner treats them. */
  common: Node[];
  /** Each branch's remaining conjuncts; empty when the OR reduced to `common` alone. */
  branches: Node[][];
}

/** The node as an OR split into shared and per-branch conjuncts, or undefined if not an OR. */
export function splitOr(node: Node): SplitOr | undefined {
  const or = nodeAs(node, 'BoolExpr');
  if (or?.boolop !== 'OR_EXPR' || !or.args?.length) return undefined;
  const arms = or.args.map((a) => conjuncts(a).map((c) => ({ node: c, key: exprKey(c) })));
  // process_duplicate_ors compares with equal(), which ignores token locations: so does exprKey.
  const common = arms[0].filter((c, i, all) => all.findIndex((d) => d.key === c.key) === i && arms.every((arm) => arm.some((d) => d.key === c.key)));
  const shared = new Set(common.map((c) => c.key));
  const rest = arms.map((arm) => arm.filter((c) => !shared.has(c.key)).map((c) => c.node));
  // A branch left empty is true once the shared conditions hold: the OR adds nothing.
  return { common: common.map((c) => c.node), branches: rest.some((b) => !b.length) ? [] : rest };
}

/**
 * The comparisons inside OR branches (nested ORs included): facts about parameters, not about
 * which index can serve the statement.
 */
export function branchPredicates(branches: Node[][]): Predicate[] {
  const out: Predicate[] = [];
  for (const branch of branches) {
    for (const c of branch) {
      const nested = splitOr(c);
      if (nested) out.push(...branchPredicates([nested.common, ...nested.branches]));
      else out.push(...classifyConjunct(c).predicates);
    }
  }
  return out;
}

/**
 * Columns every branch compares with a value (`=`, a range, IN): one index on such a column can
 * serve each branch, and PostgreSQL combines the branches' scans in a BitmapOr (docs, "Combining
 * Multiple Indexes"). A column missing from some branch cannot: that branch would need a scan of
 * its own, which the single-column candidates of its other predicates do not offer either.
 */
export function everyBranchColumns(branches: Node[][]): ColumnName[] {
  const key = (c: ColumnName) => `${c.schema ?? ''}.${c.qualifier ?? ''}.${c.name}`;
  const perBranch = branches.map((b) => {
    const m = new Map<string, ColumnName>();
    for (const p of branchPredicates([b])) {
      if ((p.kind === 'equality' || p.kind === 'range' || p.kind === 'in') && p.value.kind !== 'columns') m.set(key(p.column), p.column);
    }
    return m;
  });
  if (!perBranch.length) return [];
  return [...perBranch[0]].filter(([k]) => perBranch.every((m) => m.has(k))).map(([, c]) => c);
}

/** A structural key for an expression: its JSON without token positions. */
function exprKey(node: Node): string {
  return JSON.stringify(node, (k, v) => (k === 'location' ? undefined : v));
}
