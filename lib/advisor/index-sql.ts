/**
 * An index as data, and the SQL for it: one builder serves HypoPG (hypothetical, unnamed), the
 * trial engine (real, inside a rolled-back transaction) and the recommendations people run
 * (named, CONCURRENTLY). Identifiers are always quoted; a partial predicate is SQL text taken from
 * the workload's own constant predicates.
 */
import { createHash } from 'node:crypto';
import { quoteIdent, quoteQualified } from '../pg/quote';

export interface IndexColumn {
  name: string;
  direction?: 'asc' | 'desc';
  nulls?: 'first' | 'last';
}

export interface IndexDef {
  table: { schema: string; name: string };
  columns: IndexColumn[];
  include?: string[];
  /** A partial index predicate (SQL text over the table's columns). */
  where?: string;
  method?: 'btree';
}

/** PostgreSQL identifiers are at most 63 bytes (NAMEDATALEN - 1). */
const MAX_IDENT_BYTES = 63;

/**
 * A stable, readable name: `<table>_<col1>_<col2>_idx`, shortened with a hash of the full
 * definition when it would not fit, so two different indexes never get the same name.
 */
export function indexName(def: IndexDef): string {
  const parts = [def.table.name, ...def.columns.map((c) => c.name), def.where ? 'partial' : '', def.include?.length ? 'incl' : ''].filter(Boolean);
  const plain = `${parts.join('_')}_idx`.replace(/[^A-Za-z0-9_]+/g, '_').toLowerCase();
  if (Buffer.byteLength(plain) <= MAX_IDENT_BYTES && plain === `${parts.join('_')}_idx`.toLowerCase()) return plain;
  const hash = createHash('sha1').update(indexKey(def)).digest('hex').slice(0, 8);
  let base = plain;
  while (Buffer.byteLength(`${base}_${hash}`) > MAX_IDENT_BYTES) base = base.slice(0, -1);
  return `${base.replace(/_+$/, '')}_${hash}`;
}

/** Identity of an index for deduplication: method, columns with order, include, predicate. */
export function indexKey(def: IndexDef): string {
  const cols = def.columns.map((c) => `${c.name}${c.direction === 'desc' ? ' desc' : ''}${c.nulls ? ` nulls ${c.nulls}` : ''}`);
  return `${def.table.schema}.${def.table.name}|${def.method ?? 'btree'}|${cols.join(',')}|${(def.include ?? []).join(',')}|${def.where ?? ''}`;
}

export function createIndexSql(def: IndexDef, opts: { name?: string; concurrently?: boolean; only?: boolean } = {}): string {
  const cols = def.columns
    .map((c) => `${quoteIdent(c.name)}${c.direction === 'desc' ? ' DESC' : ''}${c.nulls ? ` NULLS ${c.nulls.toUpperCase()}` : ''}`)
    .join(', ');
  return [
    'CREATE INDEX',
    opts.concurrently ? 'CONCURRENTLY' : '',
    opts.name ? `IF NOT EXISTS ${quoteIdent(opts.name)}` : '',
    `ON ${opts.only ? 'ONLY ' : ''}${quoteQualified(def.table.schema, def.table.name)}`,
    def.method && def.method !== 'btree' ? `USING ${def.method}` : '',
    `(${cols})`,
    def.include?.length ? `INCLUDE (${def.include.map(quoteIdent).join(', ')})` : '',
    def.where ? `WHERE ${def.where}` : '',
  ].filter(Boolean).join(' ');
}
