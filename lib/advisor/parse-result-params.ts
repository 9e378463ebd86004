/**
 * Parameters that stand alone as the results of a CASE (or the arguments of COALESCE): with no
 * typed result beside them, PostgreSQL resolves such a set of unknown-typed inputs as text (docs,
 * "Type Conversion: UNION, CASE, and Related Constructs", rule 2). In a normalized statement
 * they were literals, and the common ones are numbers: the count-if idiom
 * `sum(case when … then 1 else 0 end)` arrives as `sum(case when … then $3 else $4 end)`, which
 * PREPARE then rejects ("function sum(text) does not exist"). The planner retypes these as
 * numeric when text fails (plan.ts); strings keep text, which is what they are.
 */
import type { Node } from 'libpg-query';
import { nodeAs, nodeKind, walk } from './parse-nodes';

export function untypedResultParams(tree: unknown): number[] {
  const out = new Set<number>();
  const consider = (results: (Node | undefined)[]) => {
    const params = results.map(bareParam);
    // One typed result (a column, a cast, a number) gives the others its type: nothing to guess.
    if (results.length && results.every((r, i) => params[i] !== undefined || isNull(r))) params.forEach((p) => p !== undefined && out.add(p));
  };
  walk(tree, (kind, body) => {
    if (kind === 'CaseExpr') {
      const c = body as { args?: Node[]; defresult?: Node };
      consider([...(c.args ?? []).map((w) => nodeAs(w, 'CaseWhen')?.result), ...(c.defresult ? [c.defresult] : [])]);
    } else if (kind === 'CoalesceExpr') consider((body as { args?: Node[] }).args ?? []);
  });
  return [...out].sort((a, b) => a - b);
}

function bareParam(n: Node | undefined): number | undefined {
  return nodeKind(n) === 'ParamRef' ? nodeAs(n, 'ParamRef')?.number : undefined;
}

function isNull(n: Node | undefined): boolean {
  return !!nodeAs(n, 'A_Const')?.isnull;
}
