/**
 * The parse stage: a normalized statement text → its query scopes (parse-types.ts), or a typed
 * failure. Never throws for a bad text: pg_stat_statements holds whatever clients sent, and one
 * odd statement must not stop the run.
 */
import { loadParser, parserReady } from './parse-module';
import { untypedResultParams } from './parse-result-params';
import { ScopeBuilder } from './parse-scope';
import type { ParseOutcome } from './parse-types';
import { prepareSqlText, SqlTextOptions } from './sql-text';

export type { ParseOutcome, ParsedStatement, ParseFailure } from './parse-types';

/** Loads libpg-query once (~20 ms); parseStatement needs it done. */
export const prepareParser = loadParser;

export function parseStatement(query: string, opts: SqlTextOptions = {}): ParseOutcome {
  if (!parserReady()) throw new Error('parseStatement before prepareParser(): await prepareParser() once at start-up');
  try {
    return analyse(query, opts);
  } catch (err) {
    // A construct the analysis trips over: skip this statement, keep the run going.
    return { ok: false, reason: 'unsupported', message: `analysis failed: ${(err as Error).message}` };
  }
}

function analyse(query: string, opts: SqlTextOptions): ParseOutcome {
  if (!query.trim()) return { ok: false, reason: 'empty', message: 'empty statement text' };
  const sql = prepareSqlText(query, opts);
  if (sql.error) return { ok: false, reason: sql.truncated ? 'truncated' : 'unparsable', message: sql.error.message, position: sql.error.position };
  // A text cut at a token boundary parses, but its predicates are incomplete.
  if (sql.truncated) return { ok: false, reason: 'truncated', message: `text reaches the ${opts.maxBytes}-byte limit it was stored under` };
  const stmts = sql.tree?.stmts ?? [];
  if (stmts.length !== 1) {
    return { ok: false, reason: stmts.length ? 'multiple-statements' : 'empty', message: `${stmts.length} statements in one text` };
  }
  const b = new ScopeBuilder();
  const { id, kind } = b.statement(stmts[0].stmt, 'main', undefined, false);
  return { ok: true, kind, scopes: b.scopes, main: id, text: sql.text, paramTypes: sql.paramTypes, intervalFields: sql.intervalFields, paramCount: sql.paramCount, untypedResults: untypedResultParams(stmts[0].stmt) };
}
