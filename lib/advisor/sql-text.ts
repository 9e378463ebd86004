/**
 * Makes a pg_stat_statements normalized text usable by the server. Normalization replaces a
 * typed literal's string by a parameter and leaves the type in front of it: `date '1995-03-15'`
 * is stored as `date $1`, `interval '1' day` as `interval $2 day`, `numeric(10,2) '1'` as
 * `numeric(10,2) $3` (checked on PostgreSQL 15). PREPARE rejects those ("syntax error at or near
 * $1"), so each becomes a cast, `$1::date`, which binds the same way (a typed literal and `::`
 * are both tighter than any operator).
 *
 * libpg-query's grammar is patched to accept `<type> $n` (it parses normalized texts), and marks
 * such a node as a TypeCast with location -1, unlike `$n::type` or CAST(…). The parse tree says
 * WHICH parameters are typed literals — no guessing whether `escape $1`, `first $1` or
 * `zone $1` precede a type — and the lexer gives the exact spans, so strings, comments and
 * quoted identifiers are never touched.
 *
 * A few special-syntax forms normalize into invalid SQL as well (`extract($1 from d)`,
 * `normalize(s, $1)`…): parse-normalized-forms.ts rewrites those, in the same pass.
 */
import type { Node, ParseResult, TypeName } from 'libpg-query';
import { nodeAs, walk } from './parse-nodes';
import { isComment, parseTree, scanTokens, Token, tokensIn } from './parse-module';
import { applyEdits, Edit, extractEdits, repairTokens, TokenRepair } from './parse-normalized-forms';
import { offsetsFor } from './parse-offsets';
import { typeNameSql } from './parse-type-name';

export interface SqlTextError {
  message: string;
  /** Where the parser stopped, as an index into the text. */
  position: number;
}

export interface SqlText {
  /** The statement as the server accepts it (typed parameters rewritten as casts). */
  text: string;
  /** Parameter types learnt from typed literals and explicit casts, for PREPARE p(type, …). */
  paramTypes: Map<number, string>;
  /** The highest $n in the statement. */
  paramCount: number;
  /** `interval $n day`: the fields after a normalized interval literal, by parameter (values.ts). */
  intervalFields: Map<number, string>;
  /** Cut short (by track_activity_query_size or a caller's limit): its predicates are incomplete. */
  truncated: boolean;
  /** Set when the text does not parse. */
  error?: SqlTextError;
  /**
   * libpg-query's parse of `source` (its locations index `source`, not `text`), handed on so
   * the statement is parsed once.
   */
  tree?: ParseResult;
  original: string;
  /** The text `tree` was parsed from: `original`, or it with the token repairs that made it parse. */
  source: string;
}

export interface SqlTextOptions {
  /**
   * The length limit the text was stored under, in bytes (track_activity_query_size keeps at
   * most that minus one). A text that long is treated as truncated even when it still parses:
   * a cut at a token boundary loses predicates silently.
   */
  maxBytes?: number;
}

interface TypedParam {
  number: number;
  type: TypeName;
  paramLocation: number;
  /** `<type> $n` (a normalized typed literal), as opposed to `$n::type` or CAST($n AS type). */
  literal: boolean;
}

export function prepareSqlText(query: string, opts: SqlTextOptions = {}): SqlText {
  const atLimit = opts.maxBytes !== undefined && Buffer.byteLength(query) >= opts.maxBytes - 1;
  let parsed = parseTree(query);
  let source = query;
  let repair: TokenRepair | undefined;
  // Only a text that fails is lexed for the forms the parser rejects (normalize(s, $1)…).
  if (!parsed.ok && parsed.error.message.startsWith('syntax error at or near')) {
    const candidate = repairTokens(query);
    const again = candidate && parseTree(candidate.text);
    if (again?.ok) [parsed, source, repair] = [again, candidate!.text, candidate];
  }
  if (!parsed.ok) {
    const offsets = offsetsFor(query);
    const position = offsets.fromCodePoint(parsed.error.cursorPosition);
    return {
      text: query,
      original: query,
      source: query,
      paramTypes: new Map(),
      intervalFields: new Map(),
      paramCount: 0,
      truncated: atLimit || looksTruncated(query, parsed.error.message, position),
      error: { message: parsed.error.message, position },
    };
  }

  const { casts, paramCount: counted } = collectParams(parsed.tree);
  const paramTypes = new Map<number, string>();
  for (const c of casts) if (!paramTypes.has(c.number)) paramTypes.set(c.number, typeNameSql(c.type));
  const literals = casts.filter((c) => c.literal);
  const forms = extractEdits(parsed.tree, source);
  // The extract field and the normal form are text arguments of the functions now called.
  for (const n of [...forms.textParams, ...(repair?.textParams ?? [])]) if (!paramTypes.has(n)) paramTypes.set(n, 'text');
  const intervalFields = new Map<number, string>();
  const edits = [...(literals.length ? literalEdits(source, literals, intervalFields) : []), ...forms.edits];
  const text = edits.length ? applyEdits(source, edits) : source;
  const paramCount = Math.max(counted, ...(repair?.dropped ?? []));
  return { text, original: query, source, paramTypes, intervalFields, paramCount, truncated: atLimit, tree: parsed.tree };
}

/**
 * pg_stat_statements only keeps statements the server parsed, so a text that fails to parse was
 * most likely cut: an unterminated string or comment, an error "at end of input", or an error
 * on the very last token (a name or `$` cut in the middle).
 */
function looksTruncated(query: string, message: string, position: number): boolean {
  if (message.startsWith('unterminated') || message.includes('at end of input')) return true;
  const tokens = scanTokens(query);
  if (!tokens) return true;
  const last = [...tokens].reverse().find((t) => !isComment(t));
  return last !== undefined && offsetsFor(query).fromByte(last.start) === position;
}

function collectParams(tree: ParseResult): { casts: TypedParam[]; paramCount: number } {
  const casts: TypedParam[] = [];
  let paramCount = 0;
  walk(tree.stmts, (kind, body) => {
    if (kind === 'ParamRef') paramCount = Math.max(paramCount, (body.number as number) ?? 0);
    if (kind !== 'TypeCast') return;
    const param = nodeAs(body.arg as Node, 'ParamRef');
    const type = body.typeName as TypeName | undefined;
    if (!param?.number || !type) return;
    const paramLocation = param.location ?? -1;
    const literal = body.location === -1 && (type.location ?? -1) >= 0 && (type.location ?? -1) < paramLocation;
    casts.push({ number: param.number, type, paramLocation, literal });
  });
  return { casts, paramCount };
}

/** Interval qualifiers that may follow `interval $n` (the grammar's opt_interval). */
const INTERVAL_FIELDS = new Set(['year', 'month', 'day', 'hour', 'minute', 'second', 'to']);

/**
 * The parser gives where the type starts and where the parameter is; the lexer settles where
 * the type ends and what follows the parameter, on small slices (lexing the whole text costs
 * as much as parsing it). The common case — no comment inside the type, no interval fields —
 * needs no lexing at all.
 */
function literalEdits(query: string, literals: TypedParam[], intervalFields: Map<number, string>): Edit[] {
  const o = offsetsFor(query);
  const edits: Edit[] = [];
  for (const lit of literals) {
    const start = o.fromByte(lit.type.location!);
    const paramAt = o.fromByte(lit.paramLocation);
    const between = query.slice(start, paramAt);
    let typeSql = between.trimEnd();
    if (between.includes('--') || between.includes('/*')) {
      const head = tokensIn(query, start, paramAt)?.filter((t) => !isComment(t));
      if (!head?.length) continue;
      typeSql = query.slice(start, head[head.length - 1].end);
    }
    const interval = typeSql.toLowerCase() === 'interval';
    const tail = quickTail(query, paramAt, lit.number, interval) ?? scannedTail(query, paramAt, interval);
    if (!tail) continue;
    if (tail.fields.length) {
      typeSql += ' ' + tail.fields.join(' ');
      if (interval) intervalFields.set(lit.number, tail.fields.join(' ').toLowerCase());
    }
    edits.push({ start, end: tail.end, replacement: `${tail.param}::${typeSql}` });
  }
  return edits;
}

interface Tail {
  param: string;
  end: number;
  fields: string[];
}

/**
 * Reads `$n` and, after `interval`, the field words that follow (`day`, `minute to second(2)`)
 * straight from the text, since the parser has already said a typed parameter sits here. Any
 * doubt (a comment, a quote, odd spacing) returns undefined and the lexer decides.
 */
function quickTail(query: string, at: number, n: number, interval: boolean): Tail | undefined {
  const param = `$${n}`;
  if (!query.startsWith(param, at)) return undefined; // `$01`: let the lexer read it
  let end = at + param.length;
  if (isIdentChar(query[end])) return undefined;
  const fields: string[] = [];
  while (interval) {
    let p = end;
    while (p < query.length && ' \t\r\n'.includes(query[p])) p++;
    let w = p;
    while (w < query.length && isIdentChar(query[w])) w++;
    const word = query.slice(p, w);
    if (!INTERVAL_FIELDS.has(word.toLowerCase())) {
      if (query.startsWith('/*', p) || query.startsWith('--', p) || query[p] === '"') return undefined;
      break;
    }
    if (word.toLowerCase() === 'second' && query[w] === '(') {
      const close = query.indexOf(')', w);
      if (close < 0 || !/^\(\d+\)$/.test(query.slice(w, close + 1))) return undefined;
      w = close + 1;
    }
    fields.push(query.slice(p, w));
    end = w;
  }
  return { param, end, fields };
}

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
}

function scannedTail(query: string, paramAt: number, interval: boolean): Tail | undefined {
  const cut = paramAt + TAIL_CHARS;
  const tail = cut < query.length ? readTail(tokensIn(query, paramAt, cut), interval, cut) : undefined;
  return tail ?? readTail(tokensIn(query, paramAt, query.length), interval, Infinity);
}

/** Enough for `$12 minute to second(6)`; a longer tail is rescanned to the end. */
const TAIL_CHARS = 48;

/**
 * The parameter token and, after `interval $n`, its fields (`day to second(2)` belongs to the
 * type and moves with it). Undefined when a chunk cut at `cut` may have split what matters.
 */
function readTail(tokens: Token[] | undefined, interval: boolean, cut: number): Tail | undefined {
  const param = tokens?.[0];
  if (!tokens || param?.tokenName !== 'PARAM' || param.end >= cut) return undefined;
  let end = param.end;
  const fields: string[] = [];
  let i = 1;
  while (interval && i < tokens.length && INTERVAL_FIELDS.has(tokens[i].text.toLowerCase())) {
    fields.push(tokens[i].text);
    end = tokens[i].end;
    if (tokens[i].text.toLowerCase() === 'second' && tokens[i + 1]?.text === '(' && tokens[i + 3]?.text === ')') {
      fields[fields.length - 1] += `(${tokens[i + 2].text})`;
      end = tokens[i + 3].end;
      i += 3;
    }
    i++;
  }
  if (interval && (i >= tokens.length ? cut !== Infinity : tokens[i].end >= cut)) return undefined;
  return { param: param.text, end, fields };
}
