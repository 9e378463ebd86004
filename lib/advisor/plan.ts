/**
 * Planning a statement without running it. PostgreSQL 16+ has EXPLAIN (GENERIC_PLAN); before
 * that, PREPARE under plan_cache_mode = force_generic_plan and EXPLAIN EXECUTE with NULLs (field
 * notes: without force_generic_plan, NULL parameters plan as "One-Time Filter: false" at cost 0).
 * Representative values (drawn from pg_stats by the caller) go through the same PREPARE with
 * force_custom_plan, since EXPLAIN cannot bind parameters: they are inlined as quoted literals.
 * Never EXPLAIN ANALYZE: nothing here executes the statement.
 */
import type { Db } from '../pg/db';
import { DbError } from '../pg/errors';

export type Estimate = 'generic' | 'representative';

export interface Planned {
  totalCost: number;
  /** Index names the plan uses (HypoPG's show as "<13371>btree_t_c"). */
  indexes: string[];
  estimate: Estimate;
}

export interface PlanInput {
  /** Valid SQL with $1..$n (see sql-text.ts). */
  text: string;
  paramCount: number;
  /** Types known from casts or typed literals; the others are inferred (`unknown`), or `text` on retry. */
  paramTypes?: Map<number, string>;
  /**
   * Parameters PostgreSQL would type text for want of context (bare CASE results): retyped
   * numeric when text fails, before giving up (parse-result-params.ts).
   */
  untypedResults?: number[];
  /** Representative values, by parameter number; when given, a custom plan with them inlined. */
  values?: Map<number, string | null>;
  /** The search_path names resolve under (the statement's user's), as a setting value. */
  searchPath?: string;
}

export class PlanError extends DbError {}

export class Planner {
  private path?: string;
  /** EXPLAINs sent (a benchmark figure). */
  calls = 0;

  constructor(private readonly db: Db) {}

  async plan(input: PlanInput): Promise<Planned> {
    this.calls++;
    if (input.searchPath !== undefined && input.searchPath !== this.path) {
      await this.db.query(`select set_config('search_path', $1, false)`, [input.searchPath]);
      this.path = input.searchPath;
    }
    if (!input.values && this.db.server.major >= 16) {
      try {
        return toPlanned(await this.db.query(`explain (generic_plan, format json) ${input.text}`), 'generic');
      } catch (err) {
        // Uninferrable parameter types, or CASE results typed text: the PREPARE route can name them.
        const message = (err as Error).message;
        const retypable = /could not determine data type of parameter/.test(message) || (!!input.untypedResults?.length && /does not exist/.test(message));
        if (!retypable) throw planError(err);
      }
    }
    // Parameters nothing can type (`case when … then $3`): name them text; if text then fails
    // (`sum(text)`), the most recent guess becomes numeric.
    const types = new Map(input.paramTypes ?? []);
    const guessed: number[] = [];
    let numericResults = (input.untypedResults ?? []).filter((n) => !types.has(n));
    let lastError: unknown;
    for (let attempt = 0; attempt <= input.paramCount * 2; attempt++) {
      try {
        return await this.viaPrepare(input, types);
      } catch (err) {
        lastError = err;
        const message = (err as Error).message;
        const untyped = /could not determine data type of parameter \$(\d+)/.exec(message);
        const retype = guessed.filter((n) => types.get(n) === 'text').pop();
        if (untyped) {
          types.set(Number(untyped[1]), 'text');
          guessed.push(Number(untyped[1]));
        } else if (retype !== undefined && /does not exist|invalid input syntax/.test(message)) {
          types.set(retype, 'numeric');
        } else if (numericResults.length && /does not exist/.test(message) && /\btext\b/.test(message)) {
          // `sum(text)`, `text * numeric`: the text came from CASE results nothing typed.
          for (const n of numericResults) types.set(n, 'numeric');
          numericResults = [];
        } else break;
      }
    }
    throw planError(lastError);
  }

  private async viaPrepare(input: PlanInput, known: Map<number, string>): Promise<Planned> {
    // One fixed name, deallocated after each use: pg_stat_statements keys PREPARE and EXPLAIN
    // EXECUTE by their text, so a fresh name per plan would add an entry per what-if call and
    // can evict the very workload being analysed (seen on TPC-H with 27,000 plans).
    const name = 'pgsteward_plan';
    const types = Array.from({ length: input.paramCount }, (_, i) => known.get(i + 1) ?? 'unknown');
    // Set every time, not once: the trial engine's ROLLBACK also undoes a SET made inside it.
    // Inlined literals need standard_conforming_strings (the default since 9.1) to quote safely.
    const mode = input.values ? 'force_custom_plan' : 'force_generic_plan';
    await this.db.query(`set plan_cache_mode = ${mode}`);
    if (input.values) await this.db.query(`set standard_conforming_strings = on`);
    await this.db.query(`prepare ${name}${types.length ? `(${types.join(', ')})` : ''} as ${input.text}`);
    try {
      const args = Array.from({ length: input.paramCount }, (_, i) => literal(input.values?.get(i + 1) ?? null));
      const rows = await this.db.query(`explain (format json) execute ${name}${args.length ? `(${args.join(', ')})` : ''}`);
      return toPlanned(rows, input.values ? 'representative' : 'generic');
    } finally {
      await this.db.query(`deallocate ${name}`).catch(() => undefined);
    }
  }
}

function literal(v: string | null): string {
  return v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`;
}

function planError(err: unknown): PlanError {
  const e = err as DbError;
  return new PlanError(e.message, { code: e.code, cause: err });
}

interface PlanNode {
  'Total Cost': number;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function toPlanned(rows: Record<string, unknown>[], estimate: Estimate): Planned {
  const doc = rows[0]['QUERY PLAN'] as { Plan: PlanNode }[];
  const root = doc[0].Plan;
  const indexes: string[] = [];
  const walk = (n: PlanNode) => {
    if (n['Index Name']) indexes.push(n['Index Name']);
    n.Plans?.forEach(walk);
  };
  walk(root);
  return { totalCost: root['Total Cost'], indexes: [...new Set(indexes)], estimate };
}
