/**
 * Names of new partitions, from the policy's template (see policy-schema.ts `naming`). PostgreSQL
 * truncates identifiers to NAMEDATALEN - 1 = 63 bytes
 * (https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS), which
 * would make two long names collide silently; we shorten the parent part ourselves, keep the
 * date or id part whole, and add a short hash of the full name so the result stays unique.
 * A name already taken in the schema (by any relation) gets a different hash. Pure.
 */
import { createHash } from 'node:crypto';
import { MAX_IDENTIFIER_BYTES } from './ident';
import { PartitionPolicy } from './policy';

/** `_` + 6 hex digits: 16M values, plenty against a schema's worth of names. */
const HASH_CHARS = 6;
/** Names sharing this many leading characters are read from the catalog as possible collisions. */
const PREFIX_CHARS = 8;

export function renderName(template: string, parent: string, label: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (all, key: string) => (key === 'parent' ? parent : label[key] ?? all));
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
export function truncateBytes(s: string, max: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (bytes + b > max) break;
    out += ch;
    bytes += b;
  }
  return out;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_CHARS);
}

/**
 * The name for one new partition: the template as is when it fits in 63 bytes and is free,
 * else the parent part shortened to make room for `_<hash>`.
 */
export function partitionName(template: string, parent: string, label: Record<string, string>, taken: Set<string>): string {
  const full = renderName(template, parent, label);
  if (Buffer.byteLength(full, 'utf8') <= MAX_IDENTIFIER_BYTES && !taken.has(full)) return full;
  const rest = Buffer.byteLength(renderName(template, '', label), 'utf8');
  const room = MAX_IDENTIFIER_BYTES - rest - 1 - HASH_CHARS;
  if (room < 1) throw new Error(`naming template ${JSON.stringify(template)} leaves no room for the table name within ${MAX_IDENTIFIER_BYTES} bytes`);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const hashed = `${truncateBytes(parent, room)}_${shortHash(attempt ? `${full}#${attempt}` : full)}`;
    const name = renderName(template, hashed, label);
    if (!taken.has(name)) return name;
  }
  throw new Error(`no free partition name for ${full}`);
}

/** The leading text every name of this policy shares (before any date or id part), for the catalog read. */
export function namePrefix(policy: Pick<PartitionPolicy, 'naming' | 'table'>): string {
  const head = policy.naming.split(/\{(?!parent\})/)[0];
  return [...renderName(head, policy.table, {})].slice(0, PREFIX_CHARS).join('');
}
