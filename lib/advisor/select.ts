/**
 * Choosing indexes for the whole workload under a storage budget (the selection step of
 * Kossmann et al., VLDB 2020), after Extend (Schlosser, Kossmann, Boissier, ICDE Workshops
 * 2019), the best of the algorithms that study compares: greedy by net benefit per byte, where
 * a step either adds a candidate or EXTENDS a chosen index (replaces it by a candidate whose key
 * starts with its key), paying only for the extra bytes. Then a prune (what the final
 * configuration does not need goes) and bounded swaps (greedy by ratio keeps an early index
 * that two later ones would beat), the budget they free going back to the greedy.
 *
 * benefit(c | chosen) = Σ_statements weight × (cost(chosen) − cost(chosen ∪ {c})) − writeCost(c)
 *
 * Speed: what-if planning is nearly all of the time, so
 *  - a statement's cost is memoised by the candidates it could use (its tables, `usableBy`),
 *    all the planner can see of a configuration for it;
 *  - greedy is lazy (Minoux's accelerated greedy, 1978): a candidate's last ratio bounds its
 *    next one (benefits shrink as indexes are added, mostly), so only the best is re-priced each
 *    step; a full pass re-prices everyone when nothing is left, for indexes that help together;
 *  - dropping an index a statement's plan does not use leaves that plan as it is: not re-priced;
 *  - a candidate another dominates (no larger, alone at least as good everywhere) is dropped
 *    after the first pass, which prices every candidate alone anyway.
 *
 * Dexter's rule (`minImprovement`, from ankane/dexter: a statement's cost must at least halve)
 * is applied here, so the report drops nothing the selection relied on. An index qualifies when
 * a statement whose plan uses it is cut by the threshold by the whole configuration (so indexes
 * that halve a statement only together qualify: the first greedy round runs without the rule,
 * the prunes after it apply it), or when it cuts the cost of several statements (see
 * MULTI_STATEMENT). A qualified index's gains on every statement count.
 */
import { Entry, Pricer, Search } from './select-search';

export { mayAffect } from './select-search';

export interface Candidate {
  key: string;
  /** schema.name of the table. */
  table: string;
  sizeBytes: number;
  /** Maintenance cost per unit of workload weight (same units as weight × planner cost). */
  writeCost: number;
  /** Ids of the statements whose plans could use it at all (default: every statement on its table). */
  usableBy?: string[];
  /** Keys of the candidates it extends (their key is a prefix of its key): it may replace one. */
  extends?: string[];
}

export interface WorkloadStatement {
  id: string;
  /** How much the statement counts: calls in the interval. */
  weight: number;
  /** schema.name of every table the statement reads. */
  tables: string[];
}

/** A statement's planner cost under a configuration, and the keys of the indexes its plan uses. */
export interface Priced {
  cost: number;
  used: string[];
}

export interface CostOracle {
  /** Planner cost of `stmt` when exactly `indexes` (all on its tables) exist besides the real ones. */
  cost(stmt: WorkloadStatement, indexes: Candidate[]): Promise<number>;
  /** The same, and which of `indexes` the plan uses; without it every given index counts as used. */
  price?(stmt: WorkloadStatement, indexes: Candidate[]): Promise<Priced>;
}

export interface SelectOptions {
  budgetBytes: number;
  maxPerTable: number;
  /** Give up improving after this many oracle calls (a safety net for huge workloads). */
  maxOracleCalls?: number;
  /** Dexter's rule: an index must be used by a statement whose cost falls by this fraction. @default 0 */
  minImprovement?: number;
}

export interface Selection {
  chosen: Candidate[];
  /** Workload cost (Σ weight × cost) with nothing added, and with the chosen indexes. */
  baseCost: number;
  finalCost: number;
  /** Per statement: cost before and after. */
  perStatement: Map<string, { before: number; after: number }>;
  /** Per chosen index: what dropping it alone would cost the workload, net of its write cost (> 0). */
  gains: Map<string, number>;
  oracleCalls: number;
}

export async function selectIndexes(workload: WorkloadStatement[], candidates: Candidate[], oracle: CostOracle, opts: SelectOptions): Promise<Selection> {
  const pricer = new Pricer(oracle);
  const search = new Search(workload, candidates, pricer, opts);
  await search.init();
  const limit = opts.maxOracleCalls ?? Infinity;
  const dominated = await search.dominated(candidates, limit);
  const entries: Entry[] = candidates.filter((c) => !dominated.has(c)).map((c) => ({ c, ratio: Infinity, version: -1 }));
  let swaps = 0;
  for (let round = 0; round < MAX_ROUNDS && pricer.calls < limit; round++) {
    await search.greedy(entries, limit);
    search.threshold = 1 - (opts.minImprovement ?? 0);
    // The budget a prune or a swap frees goes back to the greedy.
    if (!(await search.prune()) && !(swaps++ < MAX_SWAPS && pricer.calls < limit && (await search.swap(entries)))) break;
  }

  const chosen = search.chosen;
  const gains = new Map<string, number>();
  for (const c of chosen) gains.set(c.key, (await search.marginal(c)).loss);
  const perStatement = new Map<string, { before: number; after: number }>();
  let baseCost = 0;
  let finalCost = 0;
  for (const s of workload) {
    const before = search.base.get(s.id)!;
    const after = (await pricer.price(s, chosen)).cost;
    perStatement.set(s.id, { before, after });
    baseCost += s.weight * before;
    finalCost += s.weight * after;
  }
  return { chosen, baseCost, finalCost, perStatement, gains, oracleCalls: pricer.calls };
}

/**
 * Bounds that keep the what-if calls bounded: greedy rounds (each after a prune or swap freed
 * budget), swaps, and per swap the chosen indexes worth least per byte tried out against the
 * kept-out ones with the best first gains. On TPC-H (bench/advisor.ts) a swap pass costs a few
 * dozen plans and the greedy is rarely beaten by one; they are a safety net, not a search.
 */
const MAX_ROUNDS = 8;
const MAX_SWAPS = 4;
