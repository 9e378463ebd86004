/**
 * Hypothetical indexes through HypoPG: they exist only in this backend's memory, cost nothing
 * to build, lock nothing, and the planner sees them as real (EXPLAIN only). HypoPG is per
 * backend, so the advisor keeps one connection for the whole what-if phase, and always resets.
 * Around a thousand hypothetical indexes at once exhausts HypoPG's OIDs (field notes): the
 * caller batches and resets.
 */
import type { Db } from '../../pg/db';
import { FeatureMissingError, UndefinedObjectError } from '../../pg/errors';
import { createIndexSql, IndexDef } from '../index-sql';
import type { WhatIfEngine, WhatIfIndex } from './engine';

export class HypoPGMissingError extends FeatureMissingError {}

export class HypoPGEngine implements WhatIfEngine {
  readonly name = 'hypopg' as const;
  private added = 0;

  private constructor(private readonly db: Db) {}

  /** Fails with a message naming the fix when the extension is not installed in this database. */
  static async open(db: Db): Promise<HypoPGEngine> {
    const [row] = await db.query<{ schema: string | null }>(
      `select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'hypopg'`,
    );
    if (!row) {
      throw new HypoPGMissingError(
        'HypoPG is not installed in this database: CREATE EXTENSION hypopg; (package postgresql-<major>-hypopg; on RDS/Aurora it is available), or run with --what-if trial on a throwaway copy',
      );
    }
    const engine = new HypoPGEngine(db);
    await engine.reset();
    return engine;
  }

  async add(def: IndexDef): Promise<WhatIfIndex> {
    try {
      const [r] = await this.db.query<{ indexrelid: number; indexname: string; size: string }>(
        `select h.indexrelid, h.indexname, hypopg_relation_size(h.indexrelid)::text as size from hypopg_create_index($1) h`,
        [createIndexSql(def)],
      );
      this.added++;
      return { id: String(r.indexrelid), planName: r.indexname, sizeBytes: Number(r.size) };
    } catch (err) {
      if (err instanceof UndefinedObjectError) throw new HypoPGMissingError(`HypoPG functions are not reachable (search_path?): ${(err as Error).message}`, { cause: err });
      throw err;
    }
  }

  async remove(index: WhatIfIndex): Promise<void> {
    await this.db.query(`select hypopg_drop_index($1::oid)`, [index.id]);
  }

  async reset(): Promise<void> {
    await this.db.query(`select hypopg_reset()`);
    this.added = 0;
  }

  async close(): Promise<void> {
    await this.reset();
  }

  /** Hypothetical indexes created since the last reset (the caller batches on this). */
  get count(): number {
    return this.added;
  }
}
