/**
 * The DDL of one maintenance run, as text (pure): what `--dry-run` shows is exactly what runs.
 *
 * A new partition is created STANDALONE and then attached, never with `CREATE TABLE … PARTITION
 * OF`: that takes ACCESS EXCLUSIVE on the parent, so it queues behind any open reader and every
 * new query queues behind it. `ATTACH PARTITION` takes only SHARE UPDATE EXCLUSIVE on the parent,
 * which does not conflict with readers (ACCESS SHARE) or writers (ROW EXCLUSIVE)
 * (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-ATTACH-PARTITION,
 * https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-TABLES).
 */
import { quoteIdent, quoteQualified } from '../pg/quote';
import { PlannedPartition, Retirement } from './plan';
import { CatalogSnapshot } from './types';

/** A bound as SQL: integers bare, time values as a literal coerced to the key column's type. */
export function boundLiteral(snap: CatalogSnapshot, v: string): string {
  return snap.keyKind === 'integer' ? String(BigInt(v)) : `'${v.replace(/'/g, "''")}'`;
}

/** The CHECK that lets ATTACH skip its scan; its name, fitted to 63 bytes with the partition's. */
export function boundsCheckName(partition: string): string {
  const suffix = '_bounds_check';
  let head = partition;
  while (Buffer.byteLength(head + suffix, 'utf8') > 63) head = head.slice(0, -1);
  return head + suffix;
}

/**
 * LIKE copies what ATTACH requires and what a direct insert into the partition should see:
 * - CONSTRAINTS: ATTACH requires "all the NOT NULL and CHECK constraints of the target table"
 *   (sql-altertable.html, ATTACH PARTITION); NOT NULL is always copied by LIKE.
 * - DEFAULTS, GENERATED: rows inserted into the partition directly get the parent's defaults and
 *   generated columns (PostgreSQL 16+ refuses to attach a plain column where the parent's is
 *   generated).
 * - STORAGE, COMMENTS (and COMPRESSION from 14): the columns behave like the parent's.
 * Not copied: INDEXES (ATTACH creates or adopts the parent's partitioned indexes, including the
 * primary key), IDENTITY (the parent's identity/sequence serves rows routed through it), and
 * STATISTICS (https://www.postgresql.org/docs/current/sql-createtable.html, LIKE).
 */
export function createSql(snap: CatalogSnapshot, p: PlannedPartition, serverMajor: number, owner?: string): string[] {
  const parent = quoteQualified(snap.schema, snap.table);
  const child = quoteQualified(snap.schema, p.name);
  const col = quoteIdent(snap.keyColumn);
  const like = ['DEFAULTS', 'CONSTRAINTS', 'STORAGE', 'COMMENTS', 'GENERATED', ...(serverMajor >= 14 ? ['COMPRESSION'] : [])];
  const out = [
    `CREATE TABLE ${child} (LIKE ${parent} ${like.map((x) => `INCLUDING ${x}`).join(' ')})`,
    // "it is possible to avoid the scan to validate the implicit partition constraint by adding a
    // valid CHECK constraint to the table that allows only rows satisfying the desired partition
    // constraint" (sql-altertable.html). The table is empty so the scan would be instant, but the
    // check also makes ATTACH's ACCESS EXCLUSIVE on the new table as short as it can be, and a
    // range's implicit constraint includes IS NOT NULL, so the check must too to imply it.
    `ALTER TABLE ${child} ADD CONSTRAINT ${quoteIdent(boundsCheckName(p.name))} CHECK (${col} IS NOT NULL AND ${col} >= ${boundLiteral(snap, p.from)} AND ${col} < ${boundLiteral(snap, p.to)})`,
  ];
  // Owned like its siblings: ATTACH needs the caller to own both tables, and the application's
  // role usually owns the parent (ALTER TABLE … OWNER TO needs membership in that role).
  if (owner) out.push(`ALTER TABLE ${child} OWNER TO ${quoteIdent(owner)}`);
  return out;
}

/** Attach, then drop the now-redundant check (the docs' own advice), in one transaction. */
export function attachSql(snap: CatalogSnapshot, p: PlannedPartition): string[] {
  const parent = quoteQualified(snap.schema, snap.table);
  const child = quoteQualified(snap.schema, p.name);
  return [
    `ALTER TABLE ${parent} ATTACH PARTITION ${child} FOR VALUES FROM (${boundLiteral(snap, p.from)}) TO (${boundLiteral(snap, p.to)})`,
    `ALTER TABLE ${child} DROP CONSTRAINT ${quoteIdent(boundsCheckName(p.name))}`,
  ];
}

/**
 * DETACH CONCURRENTLY (14+) takes only SHARE UPDATE EXCLUSIVE on the parent, but "cannot be run
 * in a transaction block and is not allowed if the partitioned table contains a default
 * partition"; plain DETACH takes ACCESS EXCLUSIVE on the parent, so it runs under lock_timeout
 * (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DETACH-PARTITION).
 */
export function detachSql(snap: CatalogSnapshot, r: Retirement, concurrently: boolean): string {
  return `ALTER TABLE ${quoteQualified(snap.schema, snap.table)} DETACH PARTITION ${quoteQualified(r.schema, r.partition)}${concurrently ? ' CONCURRENTLY' : ''}`;
}

/** Completes a DETACH CONCURRENTLY that was cancelled or interrupted (it stays "detach pending"). */
export function finalizeSql(snap: CatalogSnapshot, schema: string, partition: string): string {
  return `ALTER TABLE ${quoteQualified(snap.schema, snap.table)} DETACH PARTITION ${quoteQualified(schema, partition)} FINALIZE`;
}

export function dropSql(r: Retirement): string {
  return `DROP TABLE ${quoteQualified(r.schema, r.partition)}`;
}

export function canDetachConcurrently(snap: CatalogSnapshot, serverMajor: number): boolean {
  return serverMajor >= 14 && !snap.partitions.some((p) => p.isDefault);
}
