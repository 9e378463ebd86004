/**
 * Special-syntax forms whose normalized text PostgreSQL rejects. pg_stat_statements replaces
 * every constant the grammar made with a location, and a few constants are keywords or words,
 * not literals; on PostgreSQL 15 (checked against the server):
 *
 *   extract(year from d)           → extract($1 from d)        "syntax error at or near $1"
 *   normalize(s, NFC)              → normalize(s, $1)          idem
 *   s IS NFC NORMALIZED            → s IS $1 NORMALIZED        idem
 *   U&'d!0061t' UESCAPE '!'        → $1 UESCAPE '!'            "syntax error at or near '!'"
 *
 * (limit all becomes `limit $n`, trim/position/substring/overlay, at time zone, collate,
 * cast, fetch first, offset and window frame offsets all stay valid.) Each is rewritten into
 * a form that calls the same function with the same arguments, so the plan costs the same.
 *
 * libpg-query accepts `extract($1 from …)` (its grammar is patched for normalized texts), so
 * that one is found in the tree; the other three do not parse and are repaired on tokens first.
 */
import type { FuncCall, Node, ParseResult } from 'libpg-query';
import { names, nodeAs, walk } from './parse-nodes';
import { isComment, isKeyword, Token, tokensIn } from './parse-module';
import { offsetsFor } from './parse-offsets';

export interface Edit {
  start: number;
  end: number;
  replacement: string;
}

export function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.replacement + out.slice(e.end);
  return out;
}

export interface FormRewrite {
  edits: Edit[];
  /** Parameters that now stand for a text argument (the field name, the normal form). */
  textParams: number[];
}

/**
 * `extract($n from e)` → `pg_catalog.date_part($n, e)`: date_part is what extract called up to
 * PostgreSQL 13 and still exists for every source type, so the text plans on every supported
 * version (pg_catalog.extract(text, …) appeared in 14). Only the head `extract($n from` is
 * replaced: the source expression keeps its own edits (`from date $2` → `from $2::date`).
 */
export function extractEdits(tree: ParseResult, text: string): FormRewrite {
  const out: FormRewrite = { edits: [], textParams: [] };
  if (!/extract/i.test(text)) return out; // nearly every text: no second walk of the tree
  const o = offsetsFor(text);
  walk(tree.stmts, (kind, body) => {
    if (kind !== 'FuncCall') return;
    const call = body as FuncCall;
    if (call.funcformat !== 'COERCE_SQL_SYNTAX' || names(call.funcname).join('.') !== 'pg_catalog.extract') return;
    const param = nodeAs(call.args?.[0] as Node | undefined, 'ParamRef');
    if (!param?.number || call.location === undefined || param.location === undefined) return;
    const end = fromEnd(text, o.fromByte(param.location));
    if (end === undefined) return;
    out.edits.push({ start: o.fromByte(call.location), end, replacement: `pg_catalog.date_part($${param.number},` });
    out.textParams.push(param.number);
  });
  return out;
}

/** Where the FROM after the field parameter ends; the lexer settles anything unusual. */
function fromEnd(text: string, paramAt: number): number | undefined {
  const quick = /\$\d+[ \t\r\n]*from(?![A-Za-z0-9_$\u0080-\uffff])/iy;
  quick.lastIndex = paramAt;
  if (quick.test(text)) return quick.lastIndex;
  const tokens = tokensIn(text, paramAt)?.filter((t) => !isComment(t));
  return tokens?.[0]?.tokenName === 'PARAM' && isKeyword(tokens[1], 'from') ? tokens[1].end : undefined;
}

export interface TokenRepair extends FormRewrite {
  text: string;
  /** Parameters that no longer appear in the text (still counted: EXECUTE passes them). */
  dropped: number[];
}

/**
 * The forms the parser rejects, repaired on the lexer's tokens (so strings, comments and quoted
 * identifiers are never touched). Undefined when none is present: the text is broken otherwise.
 *
 * - `normalize(e, $n)` → `pg_catalog.normalize(e, $n)`: the function the syntax calls, which
 *   takes the form as a text argument, so the parameter stays.
 * - `IS [NOT] $n NORMALIZED` → `IS [NOT] NFC NORMALIZED`: the left operand's start is unknown
 *   without a tree, so the call cannot be spelled out; any form costs the same.
 * - `$n UESCAPE '…'`: the escape character belonged to the Unicode string that `$n` replaced.
 */
export function repairTokens(text: string): TokenRepair | undefined {
  const tokens = tokensIn(text)?.filter((t) => !isComment(t));
  if (!tokens) return undefined;
  const out: TokenRepair = { text, edits: [], textParams: [], dropped: [] };
  tokens.forEach((t, i) => {
    if (t.tokenName === 'PARAM' && isKeyword(tokens[i + 1], 'uescape') && tokens[i + 2]?.tokenName === 'SCONST') {
      out.edits.push({ start: t.end, end: tokens[i + 2].end, replacement: '' });
    }
    const is = isKeyword(tokens[i - 1], 'is') || (isKeyword(tokens[i - 1], 'not') && isKeyword(tokens[i - 2], 'is'));
    if (t.tokenName === 'PARAM' && is && isKeyword(tokens[i + 1], 'normalized')) {
      out.edits.push({ start: t.start, end: t.end, replacement: 'NFC' });
      out.dropped.push(paramNumber(t));
    }
    if (isKeyword(t, 'normalize') && tokens[i - 1]?.text !== '.' && tokens[i + 1]?.text === '(') {
      const last = lastArgument(tokens, i + 1);
      if (last?.tokenName === 'PARAM') {
        out.edits.push({ start: t.start, end: t.start, replacement: 'pg_catalog.' });
        out.textParams.push(paramNumber(last));
      }
    }
  });
  if (!out.edits.length) return undefined;
  out.text = applyEdits(text, out.edits);
  out.textParams.push(...out.dropped);
  return out;
}

/** The token before the `)` matching tokens[open], when it follows a top-level comma. */
function lastArgument(tokens: Token[], open: number): Token | undefined {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    const s = tokens[j].text;
    if (s === '(' || s === '[') depth++;
    else if (s === ')' || s === ']') depth--;
    if (depth === 0) return tokens[j - 2]?.text === ',' ? tokens[j - 1] : undefined;
  }
  return undefined;
}

function paramNumber(t: Token): number {
  return Number(t.text.slice(1));
}
