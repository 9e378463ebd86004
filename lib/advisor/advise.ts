/**
 * The index advisor, wired in one readable function (Dexter's `perform`):
 *   collect → parse/resolve/plan (workload) → candidates → what-if sizes → select → explain,
 * plus the existing indexes' findings. One connection throughout (HypoPG is per backend);
 * every hypothetical or trial object is gone when it returns, error or not.
 */
import type { Db } from '../pg/db';
import { errorMessage } from '../errors';
import { loadCatalog } from './catalog';
import { CandidatePool, couldUse, extendsIndex, sharedPredicates } from './candidates';
import { collect, CollectSettings, StatementsSnapshot } from './collect';
import { coveringIndex, IndexFinding, indexFindings } from './existing-indexes';
import { loadExistingIndexes } from './existing-indexes-load';
import type { IndexDef } from './index-sql';
import { prepareParser } from './parse';
import { Planner } from './plan';
import { recommendationSql } from './recommend';
import { mayAffect, selectIndexes } from './select';
import type { CollectedStatement, SkippedStatement } from './types';
import type { WhatIfEngine } from './whatif/engine';
import { HypoPGEngine } from './whatif/hypopg';
import { CandidateIndex, WhatIfOracle } from './whatif/oracle';
import { TrialEngine } from './whatif/trial';
import { buildWorkload, WorkloadItem } from './workload';
import { loadWrites, writeCost } from './write-cost';

export interface AdviseSettings extends CollectSettings {
  /** Total size the recommended indexes may take; default a tenth of the database. */
  storageBudgetBytes?: number;
  maxIndexesPerTable: number;
  whatIf: 'hypopg' | 'trial';
  /** The trial engine builds real indexes: only on tables up to this size. */
  trialMaxTableBytes: number;
  /** Unused indexes below this size are not reported. */
  unusedMinBytes: number;
  /** A recommendation must cut some statement's cost by at least this fraction. */
  minImprovement: number;
}

export const ADVISE_DEFAULTS: Omit<AdviseSettings, keyof CollectSettings> = {
  maxIndexesPerTable: 4,
  whatIf: 'hypopg',
  trialMaxTableBytes: 1024 ** 3,
  unusedMinBytes: 1024 ** 2,
  // Dexter's rule: a statement's cost must at least halve. Smaller planner-proven gains exist (a
  // bitmap scan over a 4-valued column beats a seq scan by a third) but are not worth an index.
  minImprovement: 0.5,
};

export interface StatementEffect {
  queryid: string;
  calls: number;
  costBefore: number;
  costAfter: number;
  estimate: 'generic' | 'representative';
}

export interface Recommendation extends IndexDef {
  /** schema.name */
  tableName: string;
  statement: string;
  sizeBytes: number;
  /** Σ calls × planner-cost reduction, net of writeOverhead. */
  benefit: number;
  /** Σ calls × mean time × relative cost reduction: the estimate people read. */
  timeSavedMs: number;
  writeOverhead: number;
  statements: StatementEffect[];
}

export interface AdviseResult {
  recommendations: Recommendation[];
  indexFindings: IndexFinding[];
  skipped: SkippedStatement[];
  snapshot: StatementsSnapshot;
  source: 'interval' | 'cumulative';
  since: string | null;
  note?: string;
  budgetBytes: number;
  /** The statements kept for analysis, heaviest first (for the report's top statements). */
  ranked: CollectedStatement[];
  analysed: number;
  candidates: number;
  whatIfCalls: number;
  /** Candidates that could not be tried, grouped by why (e.g. the trial engine needs the owner). */
  warnings: string[];
}

export async function advise(db: Db, settings: AdviseSettings, opts: { previous?: StatementsSnapshot; now?: Date; onProgress?: (msg: string) => void } = {}): Promise<AdviseResult> {
  const now = opts.now ?? new Date();
  const progress = opts.onProgress ?? (() => undefined);
  await prepareParser();
  const { minCalls, minMeanTimeMs, top, minIntervalMs, minIntervalCalls } = settings;
  const collected = await collect(db, { minCalls, minMeanTimeMs, top, minIntervalMs, ...(minIntervalCalls !== undefined ? { minIntervalCalls } : {}) }, opts.previous, now);
  const [catalog, existing] = [await loadCatalog(db), await loadExistingIndexes(db)];
  const findings = indexFindings(existing.indexes, { unusedMinBytes: settings.unusedMinBytes, statsReset: existing.statsReset, onStandby: db.server.inRecovery });

  const planner = new Planner(db);
  progress(`planning ${collected.statements.length} statements`);
  const workload = await buildWorkload(db, collected.statements, catalog, planner);
  const budgetBytes = settings.storageBudgetBytes ?? Math.round(catalog.relations.reduce((s, r) => s + r.relpages * 8192, 0) / 10);

  const pool = new CandidatePool();
  const shared = sharedPredicates(workload.items.map((w) => w.resolved.tables));
  for (const w of workload.items) pool.addStatement(w.id, w.resolved.tables, shared);
  const proposals = pool.withMerged().filter((c) => !coveringIndex(c.def, existing.indexes));

  const engine: WhatIfEngine = settings.whatIf === 'trial' ? new TrialEngine(db, { maxTableBytes: settings.trialMaxTableBytes }) : await HypoPGEngine.open(db);
  const oracle = new WhatIfOracle(engine, planner);
  try {
    const window = collected.since ? Math.max(1, (now.getTime() - Date.parse(collected.since)) / 1000) : Infinity;
    const writes = await loadWrites(db, [...new Set(proposals.map((p) => `${p.def.table.schema}.${p.def.table.name}`))], window);
    const updated = updatedColumns(workload.items);
    progress(`sizing ${proposals.length} candidate indexes`);
    const candidates: CandidateIndex[] = [];
    const refused = new Map<string, number>();
    for (const p of proposals) {
      const table = `${p.def.table.schema}.${p.def.table.name}`;
      let sizeBytes: number;
      try {
        sizeBytes = await oracle.measure(p.def);
      } catch (err) {
        // e.g. the trial engine refused a large table, or may not build on a table it does not own.
        const why = errorMessage(err);
        refused.set(why, (refused.get(why) ?? 0) + 1);
        continue;
      }
      const breaksHot = p.def.columns.some((c) => updated.get(table)?.has(c.name)) || (p.def.include ?? []).some((c) => updated.get(table)?.has(c));
      // Statements that cannot touch its columns cannot use it: the selection never prices them.
      const usableBy = workload.items.filter((w) => w.resolved.tables.some((t) => `${t.schema}.${t.name}` === table && couldUse(p.def, t))).map((w) => w.id);
      candidates.push({ key: `${table}|${JSON.stringify(p.def)}`, table, def: p.def, sizeBytes, writeCost: writeCost(writes.get(table), breaksHot), usableBy });
    }
    for (const c of candidates) c.extends = candidates.filter((o) => o !== c && extendsIndex(c.def, o.def)).map((o) => o.key);
    progress(`choosing among ${candidates.length} candidates for a ${Math.round(budgetBytes / 1024 / 1024)} MB budget`);
    // A safety net for huge workloads: ~15 s of what-if plans at ~0.7 ms each (field notes); the
    // TPC-H bench (18 statements, ~190 candidates) needs under 5 000.
    const maxOracleCalls = 20_000;
    const selection = await selectIndexes(workload.items, candidates, oracle, { budgetBytes, maxPerTable: settings.maxIndexesPerTable, minImprovement: settings.minImprovement, maxOracleCalls });
    progress(`chose ${selection.chosen.length}: workload cost ${Math.round(selection.baseCost)} → ${Math.round(selection.finalCost)} (${selection.oracleCalls} what-if plans)`);
    const recommendations = await explain(selection.chosen as CandidateIndex[], selection.gains, workload.items, oracle, catalog);
    return {
      recommendations,
      indexFindings: findings,
      skipped: collapseOwn([...collected.skipped, ...workload.skipped]),
      snapshot: collected.snapshot,
      source: collected.source,
      since: collected.since,
      note: collected.note,
      budgetBytes,
      ranked: collected.statements,
      analysed: workload.items.length,
      candidates: candidates.length,
      whatIfCalls: planner.calls,
      warnings: [...refused].map(([why, n]) => `${n} candidate index(es) not tried: ${why}`),
    };
  } finally {
    await oracle.clear().catch(() => undefined);
    await engine.close().catch(() => undefined);
  }
}

/**
 * Per chosen index: the statements whose final plan uses it, and what it saves them. Nothing the
 * selection chose is dropped here: it already applied Dexter's rule and write costs, and `gains`
 * (what dropping the index alone would cost, net of writes) is the benefit it chose by.
 */
async function explain(chosen: CandidateIndex[], gains: Map<string, number>, items: WorkloadItem[], oracle: WhatIfOracle, catalog: Awaited<ReturnType<typeof loadCatalog>>): Promise<Recommendation[]> {
  const effects = new Map<string, StatementEffect[]>(chosen.map((c) => [c.key, []]));
  const timeSaved = new Map<string, number>(chosen.map((c) => [c.key, 0]));
  for (const w of items) {
    const mine = chosen.filter((c) => mayAffect(c, w));
    if (!mine.length) continue;
    const { cost: after, used } = await oracle.price(w, mine);
    if (after >= w.baseCost) continue;
    for (const key of used) {
      effects.get(key)!.push({ queryid: w.id, calls: w.collected.calls, costBefore: round(w.baseCost), costAfter: round(after), estimate: w.estimate });
      // Time saved is shared equally by the indexes the plan uses: the estimate people read.
      timeSaved.set(key, timeSaved.get(key)! + (w.collected.calls * w.collected.meanExecMs * (1 - after / w.baseCost)) / used.length);
    }
  }
  return chosen
    .filter((c) => effects.get(c.key)!.length)
    .map((c) => ({
      ...c.def,
      tableName: c.table,
      statement: recommendationSql(c.def, catalog),
      sizeBytes: c.sizeBytes,
      benefit: round(gains.get(c.key) ?? 0),
      timeSavedMs: round(timeSaved.get(c.key)!),
      writeOverhead: round(c.writeCost),
      statements: effects.get(c.key)!,
    }))
    .sort((a, b) => b.benefit - a.benefit);
}

function updatedColumns(items: WorkloadItem[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const w of items) {
    for (const t of w.resolved.tables) {
      if (!t.columnsWritten.length) continue;
      const key = `${t.schema}.${t.name}`;
      const set = out.get(key) ?? new Set<string>();
      t.columnsWritten.forEach((c) => set.add(c));
      out.set(key, set);
    }
  }
  return out;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** pgsteward's own statements (its EXPLAINs land in pg_stat_statements too) are one line, not hundreds. */
function collapseOwn(skipped: SkippedStatement[]): SkippedStatement[] {
  const own = skipped.filter((s) => s.reason === 'pgsteward');
  const rest = skipped.filter((s) => s.reason !== 'pgsteward');
  return own.length ? [...rest, { query: `${own.length} statement(s) issued by pgsteward itself`, reason: 'pgsteward' }] : rest;
}
