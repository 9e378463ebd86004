/**
 * The one door to libpg-query (PostgreSQL's own parser compiled to WASM). Loading the module
 * costs ~20 ms and happens once per process, at the first `loadParser()`; after that every call
 * is synchronous (~32 µs a parse, field notes), so the advisor's stages stay plain functions.
 */
import { loadModule, parseSync, scanSync } from 'libpg-query';
import type { ParseResult } from 'libpg-query';
import { offsetsFor } from './parse-offsets';

let loaded: Promise<void> | undefined;
let ready = false;

/** Idempotent; concurrent callers share the same load. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule().then(() => {
    ready = true;
  });
  return loaded;
}

export function parserReady(): boolean {
  return ready;
}

function requireReady(): void {
  if (!ready) throw new Error('libpg-query is not loaded yet: await loadParser() first');
}

export interface Token {
  /** Byte offsets into the UTF-8 text (libpg-query reports bytes, not characters). */
  start: number;
  end: number;
  text: string;
  /** e.g. PARAM, IDENT, SCONST, C_COMMENT, SQL_COMMENT, TYPECAST; "UNKNOWN" for most keywords. */
  tokenName: string;
  /** NO_KEYWORD, UNRESERVED_KEYWORD, COL_NAME_KEYWORD, TYPE_FUNC_NAME_KEYWORD or RESERVED_KEYWORD. */
  keywordName: string;
}

/**
 * The lexer's tokens, or undefined when it cannot finish (an unterminated string, identifier or
 * comment: libpg-query then returns a bare message that its own wrapper fails to JSON-decode).
 */
export function scanTokens(text: string): Token[] | undefined {
  requireReady();
  try {
    return scanSync(text).tokens as Token[];
  } catch {
    return undefined;
  }
}

/**
 * Tokens of text[from, to), positioned as string indexes into `text`. Lexing a slice rather than
 * the whole text keeps the cost to what is looked at; a slice must not start inside a string,
 * comment or quoted identifier (callers start at a token the parser or lexer located).
 */
export function tokensIn(text: string, from = 0, to = text.length): Token[] | undefined {
  const chunk = text.slice(from, to);
  const o = offsetsFor(chunk);
  return scanTokens(chunk)?.map((t) => ({ ...t, start: from + o.fromByte(t.start), end: from + o.fromByte(t.end) }));
}

export function isComment(t: Token): boolean {
  return t.tokenName === 'C_COMMENT' || t.tokenName === 'SQL_COMMENT';
}

/** A keyword (not a quoted identifier spelled like one) of the given lower-case spelling. */
export function isKeyword(t: Token | undefined, word: string): boolean {
  return t !== undefined && t.keywordName !== 'NO_KEYWORD' && t.text.toLowerCase() === word;
}

export interface RawParseError {
  message: string;
  /** 0-based, in characters (code points): PostgreSQL computes its cursor with pg_mbstrlen. */
  cursorPosition: number;
}

export type RawParse = { ok: true; tree: ParseResult } | { ok: false; error: RawParseError };

export function parseTree(text: string): RawParse {
  requireReady();
  try {
    return { ok: true, tree: parseSync(text) };
  } catch (err) {
    const e = err as { message?: string; sqlDetails?: { cursorPosition?: number } };
    return { ok: false, error: { message: e.message ?? String(err), cursorPosition: e.sqlDetails?.cursorPosition ?? 0 } };
  }
}
