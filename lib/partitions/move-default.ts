/**
 * moveDefaultRows: ATTACH fails while the DEFAULT partition holds rows of the new range
 * (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-ATTACH-PARTITION),
 * so those rows are moved into the new (standalone, not yet attached) table in batches, one short
 * transaction each under the policy's lock_timeout, until none remain; then it is attached.
 * When that cannot finish (time budget, lock timeout, an ATTACH failure) the rows moved so far go
 * back to the DEFAULT partition in one transaction and the table, empty again, is dropped: the
 * data stays where it was and the run reports why.
 */
import { Db, quoteIdent, quoteQualified } from '../pg';
import { StepOptions } from './apply';
import { boundLiteral } from './ddl';
import { PlannedPartition } from './plan';
import { CatalogSnapshot } from './types';

export const DEFAULT_MOVE_BATCH_ROWS = 5000;
export const DEFAULT_MOVE_BUDGET_MS = 60_000;

const COLUMNS_SQL = `
select a.attname as name from pg_attribute a
where a.attrelid = to_regclass($1::text) and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
order by a.attnum`;

export interface MoveOptions extends StepOptions {
  batchRows?: number;
  budgetMs?: number;
}

export interface MoveResult {
  moved: number;
  batches: number;
  durationMs: number;
  /** Why the move (or the ATTACH after it) did not finish; the rows are back in the DEFAULT partition. */
  error?: Error;
}

/** The batch statement: moves up to `$1` rows of [from, to) from the DEFAULT partition into the new table; returns how many. */
export function moveBatchSql(snap: CatalogSnapshot, p: PlannedPartition, def: { schema: string; name: string }, columns: string[]): string {
  const from = quoteQualified(def.schema, def.name);
  const to = quoteQualified(snap.schema, p.name);
  const key = quoteIdent(snap.keyColumn);
  const cols = columns.map(quoteIdent).join(', ');
  return `WITH moved AS (DELETE FROM ${from} WHERE ctid IN (SELECT ctid FROM ${from} WHERE ${key} >= ${boundLiteral(snap, p.from)} AND ${key} < ${boundLiteral(snap, p.to)} LIMIT $1) RETURNING ${cols}), ` +
    `ins AS (INSERT INTO ${to} (${cols}) SELECT ${cols} FROM moved RETURNING 1) SELECT count(*)::int AS n FROM ins`;
}

function moveBackSql(snap: CatalogSnapshot, p: PlannedPartition, def: { schema: string; name: string }, columns: string[]): string {
  const cols = columns.map(quoteIdent).join(', ');
  return `WITH back AS (DELETE FROM ${quoteQualified(snap.schema, p.name)} RETURNING ${cols}) INSERT INTO ${quoteQualified(def.schema, def.name)} (${cols}) SELECT ${cols} FROM back`;
}

export async function defaultColumns(db: Db, snap: CatalogSnapshot): Promise<string[]> {
  return (await db.query<{ name: string }>(COLUMNS_SQL, [quoteQualified(snap.schema, snap.table)])).map((r) => r.name);
}

/**
 * Moves the rows of p's range out of the DEFAULT partition into p's standalone table (created
 * by the caller), then runs `attach`. On any failure: rows back, table dropped, error returned.
 */
export async function moveDefaultRowsAndAttach(
  db: Db, snap: CatalogSnapshot, p: PlannedPartition, def: { schema: string; name: string }, attach: string[], opts: MoveOptions,
): Promise<MoveResult> {
  const t0 = Date.now();
  const batchRows = opts.batchRows ?? DEFAULT_MOVE_BATCH_ROWS;
  const budget = opts.budgetMs ?? DEFAULT_MOVE_BUDGET_MS;
  const inTx = <T>(fn: () => Promise<T>) => db.transaction(async () => {
    await db.query(`select set_config('lock_timeout', $1, true)`, [`${opts.lockTimeoutMs}ms`]);
    return fn();
  });
  let moved = 0;
  let batches = 0;
  let columns: string[] = [];
  try {
    columns = await defaultColumns(db, snap);
    const sql = moveBatchSql(snap, p, def, columns);
    for (;;) {
      if (Date.now() - t0 > budget) throw new Error(`moving rows out of the DEFAULT partition did not finish within ${budget} ms (${moved} moved)`);
      const [{ n }] = await inTx(() => db.query<{ n: number }>(sql, [batchRows]));
      batches++;
      moved += n;
      if (n === 0) break;
    }
    await inTx(async () => {
      for (const s of attach) await db.query(s);
    });
    return { moved, batches, durationMs: Date.now() - t0 };
  } catch (err) {
    const error = err as Error;
    try {
      // Back where they were, and the (empty) table dropped in the same transaction: consistent.
      await inTx(async () => {
        if (columns.length) await db.query(moveBackSql(snap, p, def, columns));
        await db.query(`DROP TABLE ${quoteQualified(snap.schema, p.name)}`);
      });
    } catch (backErr) {
      error.message += `; moving the rows back also failed (${(backErr as Error).message}): ${moved} row(s) of [${p.from}, ${p.to}) are in the standalone table ${quoteQualified(snap.schema, p.name)}`;
    }
    return { moved, batches, durationMs: Date.now() - t0, error };
  }
}
