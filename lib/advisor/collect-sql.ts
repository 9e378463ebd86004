/**
 * Reading pg_stat_statements: which columns exist (by extension version), the statements that
 * read them, and the errors that say what to do when they cannot be read.
 *
 * The columns depend on the *extension* version installed in the database (the view is defined
 * by the extension's SQL script), not only on the server major: a server upgraded without
 * `ALTER EXTENSION pg_stat_statements UPDATE` keeps the old view. So features are derived from
 * pg_extension.extversion, defaulting to the version each major ships
 * (contrib/pg_stat_statements/pg_stat_statements--*.sql):
 *   1.8 (PG 13) total_time → total_exec_time, plan times added
 *   1.9 (PG 14) `toplevel` column, `pg_stat_statements_info` (dealloc, stats_reset)
 *   1.10 (PG 15/16) temp_blk_read_time…
 *   1.11 (PG 17) blk_read_time → shared_blk_read_time, per-entry `stats_since`
 *   1.12 (PG 18) parallel workers, wal_buffers_full (nothing we read)
 */
import type { Db } from '../pg/db';
import { DbError, FeatureMissingError, PermissionError } from '../pg/errors';
import { quoteIdent } from '../pg/quote';
import { redactLiterals } from '../health/redact';

/** The extension installed in this database, and what the role may see of it. */
export class ExtensionMissingError extends FeatureMissingError {}
/** A server or extension too old for the columns the advisor reads (before PG 13 / pgss 1.8). */
export class UnsupportedVersionError extends FeatureMissingError {}
/** Other roles' statements are shown as `<insufficient privilege>` and nothing else is left to advise on. */
export class StatsPrivilegeError extends PermissionError {}

/** Shown instead of the text (and with a NULL queryid) for other roles' statements without pg_read_all_stats. */
export const HIDDEN_TEXT = '<insufficient privilege>';

/** The version of pg_stat_statements each major ships (its .control file's default_version). */
export const PGSS_DEFAULT_VERSION: Readonly<Record<number, string>> = { 13: '1.8', 14: '1.9', 15: '1.10', 16: '1.10', 17: '1.11', 18: '1.12' };

export interface PgssFeatures {
  extVersion: string;
  /** 1.9+: statements run inside functions are their own entries (toplevel = false). */
  toplevel: boolean;
  /** 1.9+: pg_stat_statements_info (dealloc, stats_reset). */
  info: boolean;
  /** 1.11+: blk_read_time became shared_blk_read_time, and stats_since tells when an entry was (re)created. */
  shared: boolean;
}

const versionParts = (v: string) => v.split('.').map((p) => Number.parseInt(p, 10) || 0);
function atLeast(version: string, wanted: string): boolean {
  const [a, b = 0] = versionParts(version);
  const [x, y = 0] = versionParts(wanted);
  return a !== x ? a > x : b >= y;
}

/** Pure: the features of a server major with a given extension version (default: the one the major ships). */
export function pgssFeatures(major: number, extVersion?: string): PgssFeatures {
  if (major < 13) {
    throw new UnsupportedVersionError(`PostgreSQL ${major} is not supported by the index advisor: pg_stat_statements there has total_time, not total_exec_time (PostgreSQL 13 or later is needed)`);
  }
  const latest = PGSS_DEFAULT_VERSION[Math.max(...Object.keys(PGSS_DEFAULT_VERSION).map(Number))];
  const version = extVersion ?? PGSS_DEFAULT_VERSION[major] ?? latest;
  if (!atLeast(version, '1.8')) {
    throw new UnsupportedVersionError(`pg_stat_statements ${version} predates total_exec_time: run ALTER EXTENSION pg_stat_statements UPDATE; in this database`);
  }
  return { extVersion: version, toplevel: atLeast(version, '1.9'), info: atLeast(version, '1.9'), shared: atLeast(version, '1.11') };
}

/**
 * Pure: every entry of the current database (pg_stat_statements is cluster-wide). Counters come
 * as float8 (exact below 2^53) so the driver returns numbers; queryid stays text (64-bit).
 * Texts are not truncated by pg_stat_statements (they live in an external file, PostgreSQL
 * docs, "pg_stat_statements"), but can all be NULL after it discarded them.
 */
export function statementsSql(f: PgssFeatures, schema: string): string {
  const view = `${quoteIdent(schema)}.pg_stat_statements`;
  return `
select s.userid,
       coalesce(r.rolname, s.userid::text) as rolname,
       ${f.toplevel ? 's.toplevel' : 'true as toplevel'},
       s.queryid::text as queryid,
       s.query,
       s.calls::float8 as calls,
       s.total_exec_time as total_exec_ms,
       s.rows::float8 as rows,
       s.shared_blks_hit::float8 as shared_blks_hit,
       s.shared_blks_read::float8 as shared_blks_read,
       ${f.shared ? 's.shared_blk_read_time' : 's.blk_read_time'} as read_time_ms,
       ${f.shared ? 's.stats_since' : 'null::timestamptz as stats_since'}
from ${view} s
left join pg_roles r on r.oid = s.userid
where s.dbid = (select oid from pg_database where datname = current_database())`;
}

/** Pure: the module's own statistics, 1.9+ only (PostgreSQL docs, "The pg_stat_statements_info View"). */
export function infoSql(schema: string): string {
  return `select dealloc::float8 as dealloc, stats_reset from ${quoteIdent(schema)}.pg_stat_statements_info`;
}

/**
 * Where the extension is, and whether this role may read other roles' texts: "only superusers
 * and roles with privileges of the pg_read_all_stats role are allowed to see the SQL text and
 * queryid of queries executed by other users" (PostgreSQL docs, "pg_stat_statements").
 */
const PROBE_SQL = `
select e.extversion, n.nspname as schema,
       (select oid from pg_database where datname = current_database()) as dbid,
       current_user as role,
       pg_has_role('pg_read_all_stats', 'USAGE') as read_all_stats
from (select 1) one
left join pg_extension e on e.extname = 'pg_stat_statements'
left join pg_namespace n on n.oid = e.extnamespace`;

export interface StatementRow {
  userid: number;
  user: string;
  toplevel: boolean;
  /** NULL for other roles' statements when the texts are hidden. */
  queryid: string | null;
  /** NULL when pg_stat_statements discarded its texts; HIDDEN_TEXT when hidden. */
  query: string | null;
  calls: number;
  totalExecMs: number;
  rows: number;
  sharedBlksHit: number;
  sharedBlksRead: number;
  /** blk_read_time (≤16) or shared_blk_read_time (17+): 0 unless track_io_timing is on. */
  readTimeMs: number;
  /** 1.11+: when this entry was created (after a reset or an eviction). */
  statsSince: string | null;
}

export interface StatementsRead {
  features: PgssFeatures;
  dbid: number;
  role: string;
  canReadAllTexts: boolean;
  /** pg_stat_statements_info.stats_reset (ISO), null before 1.9. */
  statsReset: string | null;
  /** Entries evicted since the last reset (pg_stat_statements.max was reached), null before 1.9. */
  dealloc: number | null;
  rows: StatementRow[];
}

const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : v == null ? null : new Date(String(v)).toISOString());

function missing(database: string, why: string, cause?: unknown): ExtensionMissingError {
  return new ExtensionMissingError(
    `pg_stat_statements ${why} in database ${database}: the index advisor ranks statements from it. ` +
      `Add pg_stat_statements to shared_preload_libraries (the default on RDS and Aurora; a restart is needed elsewhere), ` +
      `then run CREATE EXTENSION pg_stat_statements; in this database`,
    { cause, code: cause instanceof DbError ? cause.code : undefined },
  );
}

/** Reads every entry of the current database with the columns its extension version has. */
export async function readStatements(db: Db): Promise<StatementsRead> {
  const [probe] = await db.query(PROBE_SQL);
  if (!probe.extversion) throw missing(db.server.database, 'is not installed');
  const features = pgssFeatures(db.server.major, probe.extversion);
  const schema: string = probe.schema;
  let statsReset: string | null = null;
  let dealloc: number | null = null;
  let raw: Record<string, any>[];
  try {
    if (features.info) {
      const [info] = await db.query(infoSql(schema));
      statsReset = iso(info?.stats_reset);
      dealloc = info ? Number(info.dealloc) : null;
    }
    raw = await db.query(statementsSql(features, schema));
  } catch (err) {
    // 55000 object_not_in_prerequisite_state: "pg_stat_statements must be loaded via shared_preload_libraries".
    if (err instanceof DbError && err.code === '55000' && /shared_preload_libraries/.test(err.message)) {
      throw missing(db.server.database, 'is installed but its library is not loaded', err);
    }
    throw err;
  }
  const rows = raw.map(
    (r): StatementRow => ({
      userid: Number(r.userid),
      user: r.rolname,
      toplevel: r.toplevel !== false,
      queryid: r.queryid ?? null,
      query: r.query ?? null,
      calls: Number(r.calls),
      totalExecMs: Number(r.total_exec_ms),
      rows: Number(r.rows),
      sharedBlksHit: Number(r.shared_blks_hit),
      sharedBlksRead: Number(r.shared_blks_read),
      readTimeMs: Number(r.read_time_ms ?? 0),
      statsSince: iso(r.stats_since),
    }),
  );
  return { features, dbid: Number(probe.dbid), role: probe.role, canReadAllTexts: probe.read_all_stats === true, statsReset, dealloc, rows };
}

// ---------------------------------------------------------------------------------------------
// Reading the texts: which statements an index cannot help or we must leave alone. A cheap
// scanner, not the parser (the parse stage runs the real one on what is left): it only has to
// find the first keyword, the relations named after FROM/JOIN/INTO/UPDATE/USING, and whether
// the text ends inside a string, comment or parenthesis.

const PLANNABLE = new Set(['select', 'insert', 'update', 'delete', 'with', 'merge', 'values', 'table']);
const PREVIEW_CHARS = 120;

interface Token {
  kind: 'word' | 'ident' | 'punct' | 'other';
  text: string;
}

interface Scan {
  tokens: Token[];
  /** Comments before the first token. */
  leading: string[];
  /** Set when the text ends inside a string, quoted name or comment, or with open parentheses. */
  unterminated?: string;
}

function scanText(sql: string): Scan {
  const tokens: Token[] = [];
  const leading: string[] = [];
  let depth = 0;
  let i = 0;
  const stop = (unterminated: string): Scan => ({ tokens, leading, unterminated });
  while (i < sql.length) {
    const c = sql[i];
    const from = i;
    if (/\s/.test(c)) i++;
    else if (sql.startsWith('--', i)) {
      i = sql.indexOf('\n', i) < 0 ? sql.length : sql.indexOf('\n', i);
      if (!tokens.length) leading.push(sql.slice(from, i));
    } else if (sql.startsWith('/*', i)) {
      // Block comments nest in PostgreSQL (docs, "Lexical Structure", 4.1.5 Comments).
      let level = 0;
      do {
        if (i >= sql.length) return stop('a comment');
        if (sql.startsWith('/*', i)) (level++, (i += 2));
        else if (sql.startsWith('*/', i)) (level--, (i += 2));
        else i++;
      } while (level > 0);
      if (!tokens.length) leading.push(sql.slice(from, i));
    } else if (c === "'" || c === '"') {
      const escapes = c === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/\w/.test(sql[i - 2] ?? '');
      for (i++; sql[i] !== c || sql[i + 1] === c; i++) {
        if (i >= sql.length) return stop(c === '"' ? 'a quoted name' : 'a string');
        if (sql[i] === c || (escapes && sql[i] === '\\')) i++; // doubled quote, or E'\x'
      }
      i++;
      tokens.push(c === '"' ? { kind: 'ident', text: sql.slice(from + 1, i - 1).replace(/""/g, '"') } : { kind: 'other', text: '?' });
    } else if (c === '$' && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(sql.slice(i, i + 64))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64))![0];
      const close = sql.indexOf(tag, i + tag.length);
      if (close < 0) return stop('a dollar-quoted string');
      i = close + tag.length;
      tokens.push({ kind: 'other', text: '?' });
    } else {
      const word = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(sql.slice(i, i + 256));
      if (word) tokens.push({ kind: 'word', text: word[0].toLowerCase() });
      else tokens.push({ kind: '(),.;'.includes(c) ? 'punct' : 'other', text: c });
      depth += c === '(' ? 1 : c === ')' ? -1 : 0;
      i += word ? word[0].length : 1;
    }
  }
  return depth > 0 ? stop('open parentheses') : { tokens, leading };
}

const LIST_KEYWORDS = new Set(['from', 'join', 'into', 'using', 'update']);
const NOT_ALIAS = new Set(['where', 'join', 'inner', 'left', 'right', 'full', 'cross', 'natural', 'on', 'using', 'group', 'order', 'limit', 'offset', 'having', 'window', 'union', 'intersect', 'except', 'for', 'set', 'returning', 'when', 'values', 'select', 'default', 'tablesample', 'fetch']);

/** Relations named after FROM/JOIN/INTO/UPDATE/USING, as [schema?, name]; functions and subqueries are not. */
function namedRelations(tokens: Token[]): [string | undefined, string][] {
  const out: [string | undefined, string][] = [];
  const name = (t?: Token) => t && (t.kind === 'ident' || (t.kind === 'word' && !NOT_ALIAS.has(t.text)));
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'word' || !LIST_KEYWORDS.has(t.text)) continue;
    if (t.text === 'update' && ['for', 'key', 'do'].includes(tokens[i - 1]?.text ?? '')) continue; // FOR [NO KEY] UPDATE, ON CONFLICT DO UPDATE
    let j = i + 1;
    for (;;) {
      while (tokens[j]?.kind === 'word' && ['only', 'lateral'].includes(tokens[j].text)) j++;
      if (!name(tokens[j])) break;
      const parts = [tokens[j].text];
      j++;
      while (tokens[j]?.text === '.' && name(tokens[j + 1])) { parts.push(tokens[j + 1].text); j += 2; }
      if (tokens[j]?.text === '(') break; // a function in FROM
      out.push(parts.length > 1 ? [parts[parts.length - 2], parts[parts.length - 1]] : [undefined, parts[0]]);
      if (tokens[j]?.text === '*') j++;
      if (tokens[j]?.text === 'as') j++;
      if (name(tokens[j])) j++;
      if (tokens[j]?.text !== ',') break;
      j++;
    }
  }
  return out;
}

/**
 * Catalog relations: pg_catalog, information_schema, and any relation named pg_* (system views
 * and extension views such as pg_stat_statements; PostgreSQL reserves the pg_ prefix for
 * schemas only, so a user table called pg_something would be misjudged here).
 */
const isCatalog = ([schema, name]: [string | undefined, string]) => schema === 'pg_catalog' || schema === 'information_schema' || name.startsWith('pg_');

export interface TextVerdict {
  reason: 'pgsteward' | 'utility' | 'truncated' | 'catalog-only';
  detail: string;
}

/**
 * Why a text is not worth planning, or undefined when it is. Leading comments are skipped (a
 * pgsteward tag among them marks our own statements, EXPLAIN/PREPARE included). Limits of the
 * catalog heuristic: it only sees relations in FROM/JOIN lists, so a catalog query that also
 * reads a user table through a function or after a subquery in a comma list is kept (safe), and
 * a user table named pg_* is taken for a catalog (not safe, but rare).
 */
export function classifyText(query: string | null, tag = '/* pgsteward */'): TextVerdict | undefined {
  // NULL: pg_stat_statements discarded its texts (docs: "may choose to discard the query texts").
  if (query === null) return { reason: 'truncated', detail: 'no text: pg_stat_statements discarded its query texts (consider lowering pg_stat_statements.max)' };
  const scan = scanText(query);
  if (scan.leading.some((c) => c.trim() === tag) || query.trimStart().startsWith(tag)) return { reason: 'pgsteward', detail: 'issued by pgsteward' };
  const first = scan.tokens.find((t) => t.text !== '(');
  if (!first && scan.unterminated) return { reason: 'truncated', detail: `text ends inside ${scan.unterminated}` };
  if (!first || first.kind !== 'word' || !PLANNABLE.has(first.text)) return { reason: 'utility', detail: `${(first?.text ?? 'empty').toUpperCase()} is not a plannable statement` };
  // pg_stat_statements keeps full texts, so an unfinished one was cut before it (a client or proxy).
  if (scan.unterminated) return { reason: 'truncated', detail: `text ends inside ${scan.unterminated}` };
  const rels = namedRelations(scan.tokens);
  if (rels.length && rels.every(isCatalog)) return { reason: 'catalog-only', detail: `reads only ${rels.map(([s, n]) => (s ? `${s}.${n}` : n)).join(', ')}` };
  return undefined;
}

/**
 * The first characters of a text for people. A utility statement is not normalized by
 * pg_stat_statements (e.g. CREATE ROLE … PASSWORD '…' is kept verbatim), so only its first
 * words are shown; other texts have their constants replaced by $n already (and are redacted
 * again, in case a literal was kept).
 */
export function preview(query: string | null, reason?: string): string {
  if (query === null) return '(no text)';
  if (reason === 'utility') {
    const scan = scanText(query);
    return scan.tokens.slice(0, 2).filter((t) => t.kind === 'word').map((t) => t.text.toUpperCase()).join(' ') + ' …';
  }
  const flat = redactLiterals(query).replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat;
}
