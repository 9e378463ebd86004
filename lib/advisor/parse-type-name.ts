/**
 * Renders a parsed TypeName as SQL fit for `PREPARE p(<type>, …)`: the parameter types the
 * advisor learns from casts and typed literals in a normalized text.
 */
import type { TypeName } from 'libpg-query';
import { names } from './parse-nodes';
import { scanTokens } from './parse-module';

/** SQL-standard spellings of the pg_catalog names the grammar produces for keyword types. */
const STANDARD_TYPE_NAMES: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  bpchar: 'character',
  varchar: 'character varying',
  varbit: 'bit varying',
  timestamptz: 'timestamp with time zone',
  timetz: 'time with time zone',
  timestamp: 'timestamp without time zone',
  time: 'time without time zone',
  numeric: 'numeric',
  interval: 'interval',
  bit: 'bit',
};

/**
 * An identifier as SQL: bare when the lexer reads it back as the same plain name (unreserved
 * keywords are fine as names), quoted otherwise (mixed case, odd characters, or a keyword such
 * as "char", which unquoted means bpchar, or "order").
 */
export function identSql(part: string): string {
  let sql = identCache.get(part);
  if (sql === undefined) {
    sql = `"${part.replace(/"/g, '""')}"`;
    if (/^[a-z_][a-z0-9_$]*$/.test(part)) {
      const tokens = scanTokens(part);
      if (tokens?.length === 1 && ['NO_KEYWORD', 'UNRESERVED_KEYWORD'].includes(tokens[0].keywordName)) sql = part;
    }
    if (identCache.size < IDENT_CACHE_SIZE) identCache.set(part, sql);
  }
  return sql;
}

/** Names repeat (columns, types) and each lexer call crosses into WASM: remember the answers. */
const identCache = new Map<string, string>();
const IDENT_CACHE_SIZE = 10_000;

/**
 * Type modifiers are left out on purpose: a parameter's type is only an OID (PREPARE resolves
 * it with typenameTypeId, which ignores typmods), and interval field masks would not read back
 * as SQL anyway.
 */
export function typeNameSql(t: TypeName): string {
  const parts = names(t.names);
  const std = parts.length === 2 && parts[0] === 'pg_catalog' ? STANDARD_TYPE_NAMES[parts[1]] : undefined;
  const base = std ?? parts.map(identSql).join('.');
  return base + '[]'.repeat(t.arrayBounds?.length ?? 0);
}
