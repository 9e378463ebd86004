/**
 * The text to plan for a statement. EXPLAIN checks the privileges execution would need, so
 * EXPLAIN of an UPDATE or DELETE needs UPDATE/DELETE on the target, which pgsteward's read-only
 * role must not have. Those statements are planned as the read that finds their rows:
 *
 *   [WITH …] DELETE FROM t [AS a] [USING u] [WHERE c] [RETURNING …]
 *   [WITH …] UPDATE t [AS a] SET … [FROM f] [WHERE c] [RETURNING …]
 *     → [WITH …] SELECT a.ctid FROM t [AS a] [, u | f] [WHERE c]
 *
 * USING / FROM items join the target exactly as in the original (a comma-separated list with the
 * target first), the condition is the original's. `ctid` is what ModifyTable reads from the
 * target's scan: selecting it (not `1`) keeps the planner from an index-only scan the UPDATE or
 * DELETE could not use (a view has no ctid: such a target fails to plan and is skipped).
 * Dropped: SET values and RETURNING, so their subqueries go uncosted; SET parameters are typed
 * from their columns (parse-scope.ts) since the text no longer shows them to the server.
 *
 * The pieces are slices of the already-rewritten text (sql-text.ts), located with the parse
 * tree and the lexer — never by searching the text for words, which strings, comments and quoted
 * identifiers may contain.
 */
import type { DeleteStmt, Node, RangeVar, UpdateStmt, WithClause } from 'libpg-query';
import { isComment, isKeyword, parseTree, Token, tokensIn } from './parse-module';
import { nodeAs, nodeKind } from './parse-nodes';
import { offsetsFor } from './parse-offsets';
import { identSql } from './parse-type-name';
import type { ParsedStatement } from './parse-types';

export type PlanText = { text: string } | { skip: string };

export function planText(parsed: ParsedStatement): PlanText {
  if (parsed.kind === 'select') return { text: parsed.text };
  if (parsed.kind !== 'update' && parsed.kind !== 'delete') return { skip: `${parsed.kind} statements are not planned` };
  const tree = parseTree(parsed.text);
  const stmt = tree.ok ? tree.tree.stmts?.[0]?.stmt : undefined;
  const del = nodeAs(stmt, 'DeleteStmt');
  const upd = nodeAs(stmt, 'UpdateStmt');
  const s: DeleteStmt | UpdateStmt | undefined = del ?? upd;
  if (!s?.relation) return { skip: 'the statement text does not parse back as an UPDATE or DELETE' };
  if (nodeAs(s.whereClause, 'CurrentOfExpr')) return { skip: 'WHERE CURRENT OF a cursor: the row depends on the cursor, not on a scan' };
  const modifying = dataModifyingCte(s.withClause);
  if (modifying) return { skip: `WITH holds a data-modifying statement (${modifying}), which cannot be planned read-only` };
  const tokens = tokensIn(parsed.text)?.filter((t) => !isComment(t));
  if (!tokens) return { skip: 'the statement text does not lex' };
  const clauses = locate(tokens, offsetsFor(parsed.text).fromByte(s.relation.location ?? -1), del ? 'delete' : 'update');
  if (typeof clauses === 'string') return { skip: clauses };
  const items = del ? del.usingClause : upd?.fromClause;
  if (!!items?.length !== (clauses.items !== undefined) || !!s.whereClause !== (clauses.where !== undefined)) {
    return { skip: 'the clauses found by the lexer do not match the parse tree' };
  }
  const slice = (r: Span | undefined) => (r ? parsed.text.slice(r.start, r.end) : undefined);
  const target = targetSql(s.relation);
  const list = [target.from, slice(clauses.items)].filter(Boolean).join(', ');
  const where = slice(clauses.where);
  return { text: `${slice(clauses.with) ?? ''}SELECT ${target.ref}.ctid FROM ${list}${where ? ` WHERE ${where}` : ''}` };
}

/** The first CTE that is not a SELECT (an INSERT/UPDATE/DELETE/MERGE … RETURNING), by kind. */
function dataModifyingCte(w: WithClause | undefined): string | undefined {
  for (const c of w?.ctes ?? []) {
    const kind = nodeKind(nodeAs(c, 'CommonTableExpr')?.ctequery as Node | undefined);
    if (kind && kind !== 'SelectStmt') return kind.replace(/Stmt$/, '').toUpperCase();
  }
  return undefined;
}

/**
 * The target rebuilt from the tree (names quoted as needed, ONLY kept): it is a name and an
 * alias, and rebuilding spares reading `ONLY (t) *` shapes off the tokens. `ref` is how the
 * SELECT list names it: the alias, else the name as written.
 */
function targetSql(r: RangeVar): { from: string; ref: string } {
  const name = [r.catalogname, r.schemaname, r.relname].filter((p): p is string => !!p).map(identSql).join('.');
  const alias = r.alias?.aliasname;
  const ref = alias ? identSql(alias) : [r.schemaname, r.relname].filter((p): p is string => !!p).map(identSql).join('.');
  return { from: `${r.inh ? '' : 'ONLY '}${name}${alias ? ` AS ${identSql(alias)}` : ''}`, ref };
}

interface Span {
  start: number;
  end: number;
}

interface Clauses {
  /** `WITH …` up to the statement's keyword, with the space before it. */
  with?: Span;
  /** The USING / FROM items. */
  items?: Span;
  /** The WHERE condition. */
  where?: Span;
}

/**
 * Finds the clauses around the target relation (at string index `relAt`), on tokens without
 * comments. Every keyword looked for is reserved and matched at parenthesis depth 0 of the
 * statement, where only its own clauses live (subqueries, function arguments, CTE bodies and
 * FILTER (WHERE …) are all parenthesized). The one top-level FROM that is not the UPDATE's is
 * `IS [NOT] DISTINCT FROM` in a SET value; a DELETE's USING comes before any JOIN … USING.
 */
function locate(tokens: Token[], relAt: number, kind: 'delete' | 'update'): Clauses | string {
  const rel = tokens.findIndex((t) => t.start === relAt);
  if (rel < 0) return 'the target relation was not found among the tokens';
  // Back from the target over `ONLY (` to the statement keyword: DELETE FROM, or UPDATE.
  let k = rel - 1;
  let opens = 0;
  for (; k >= 0 && (tokens[k].text === '(' || isKeyword(tokens[k], 'only')); k--) if (tokens[k].text === '(') opens++;
  if (kind === 'delete' && isKeyword(tokens[k], 'from')) k--;
  if (!isKeyword(tokens[k], kind)) return `no ${kind.toUpperCase()} keyword before the target`;
  const out: Clauses = {};
  if (k > 0) out.with = { start: 0, end: tokens[k].start };
  let depth = opens; // `ONLY (t)`: the target's own parenthesis closes after it
  let itemsAt: number | undefined;
  let whereAt: number | undefined;
  let endAt = tokens.length;
  for (let i = rel + 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    if (depth !== 0 || (t.keywordName !== 'RESERVED_KEYWORD' && t.text !== ';')) continue;
    const word = t.text.toLowerCase();
    const opener = kind === 'delete' ? word === 'using' : word === 'from' && !isKeyword(tokens[i - 1], 'distinct');
    if (opener && itemsAt === undefined && whereAt === undefined) itemsAt = i;
    else if (word === 'where' && whereAt === undefined) whereAt = i;
    else if (word === 'returning' || word === ';') {
      endAt = i;
      break;
    }
  }
  const span = (from: number, to: number): Span | undefined => (to > from + 1 ? { start: tokens[from + 1].start, end: tokens[to - 1].end } : undefined);
  if (itemsAt !== undefined) out.items = span(itemsAt, whereAt ?? endAt);
  if (whereAt !== undefined) out.where = span(whereAt, endAt);
  return out;
}
