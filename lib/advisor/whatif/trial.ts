/**
 * The trial engine, for throwaway databases without HypoPG (the embedded demo, other majors in
 * tests): real indexes built inside one transaction that is always rolled back. Building takes a
 * SHARE lock on the table (writes wait) until the rollback, so it runs only when explicitly asked
 * for (`--what-if trial`), skips tables above a size limit, and never waits on a lock longer
 * than the session's lock_timeout. Sizes are the real built sizes.
 */
import type { Db } from '../../pg/db';
import { quoteQualified } from '../../pg/quote';
import { createIndexSql, IndexDef } from '../index-sql';
import type { WhatIfEngine, WhatIfIndex } from './engine';
import { PgstewardError } from '../../errors';
import { PermissionError } from '../../pg/errors';

export class TrialTableTooLargeError extends PgstewardError {}
export class TrialNotOwnerError extends PgstewardError {}

export class TrialEngine implements WhatIfEngine {
  readonly name = 'trial' as const;
  private seq = 0;
  private open = false;

  constructor(private readonly db: Db, private readonly opts: { maxTableBytes: number }) {}

  async add(def: IndexDef): Promise<WhatIfIndex> {
    const [t] = await this.db.query<{ bytes: string | null }>(
      `select (c.relpages::bigint * current_setting('block_size')::bigint)::text as bytes
       from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2`,
      [def.table.schema, def.table.name],
    );
    if (t && Number(t.bytes) > this.opts.maxTableBytes) {
      throw new TrialTableTooLargeError(`${def.table.schema}.${def.table.name} is larger than the trial limit (${this.opts.maxTableBytes} bytes): not building a real index on it`);
    }
    if (!this.open) {
      await this.db.query('begin');
      this.open = true;
    }
    const name = `pgsteward_trial_${++this.seq}`;
    // A savepoint per build: a failed CREATE INDEX (not the table's owner, a lock timeout) must
    // lose only this candidate, not abort the transaction every other plan runs in.
    await this.db.query(`savepoint ${name}`);
    try {
      await this.db.query(createIndexSql(def, { name }));
    } catch (err) {
      await this.db.query(`rollback to savepoint ${name}`);
      if (err instanceof PermissionError) {
        throw new TrialNotOwnerError(`the trial engine builds real indexes, which only the owner of ${def.table.schema}.${def.table.name} may do: run it as that role (or use HypoPG)`, { cause: err });
      }
      throw err;
    }
    // An index lives in its table's schema; the id is its qualified, quoted name.
    const id = quoteQualified(def.table.schema, name);
    const [s] = await this.db.query<{ bytes: string }>(`select pg_relation_size($1::regclass)::text as bytes`, [id]);
    return { id, planName: name, sizeBytes: Number(s.bytes) };
  }

  async remove(index: WhatIfIndex): Promise<void> {
    await this.db.query(`drop index ${index.id}`);
  }

  async reset(): Promise<void> {
    if (this.open) await this.db.query('rollback');
    this.open = false;
  }

  async close(): Promise<void> {
    await this.reset();
  }
}
