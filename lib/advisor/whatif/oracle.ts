/**
 * The cost oracle selection asks: "what would this statement cost with exactly these candidate
 * indexes?" It keeps the engine's set of hypothetical indexes in step with the configuration
 * asked for (consecutive questions differ by one index, so that is one create or drop), then
 * plans. Sizes are measured once per candidate.
 */
import type { IndexDef } from '../index-sql';
import type { Planner, PlanInput } from '../plan';
import type { Candidate, CostOracle, WorkloadStatement } from '../select';
import type { WhatIfEngine, WhatIfIndex } from './engine';

export interface CandidateIndex extends Candidate {
  def: IndexDef;
}

export interface PlannedStatement extends WorkloadStatement {
  plan: PlanInput;
}

/** HypoPG runs out of OIDs around a thousand indexes at once (field notes); we never hold near that. */
const MAX_LIVE = 500;

export class WhatIfOracle implements CostOracle {
  private live = new Map<string, WhatIfIndex>();
  /** Plans sent through the oracle. */
  plans = 0;

  constructor(private readonly engine: WhatIfEngine, private readonly planner: Planner) {}

  /** Estimated size of an index (creates it once, alone, and drops it again). */
  async measure(def: IndexDef): Promise<number> {
    const idx = await this.engine.add(def);
    await this.engine.remove(idx);
    return idx.sizeBytes;
  }

  async cost(stmt: WorkloadStatement, indexes: Candidate[]): Promise<number> {
    const wanted = new Map((indexes as CandidateIndex[]).map((c) => [c.key, c]));
    for (const [key, idx] of this.live) {
      if (!wanted.has(key)) {
        await this.engine.remove(idx);
        this.live.delete(key);
      }
    }
    if (this.live.size + wanted.size > MAX_LIVE) await this.clear();
    for (const [key, c] of wanted) {
      if (!this.live.has(key)) this.live.set(key, await this.engine.add(c.def));
    }
    this.plans++;
    return (await this.planner.plan((stmt as PlannedStatement).plan)).totalCost;
  }

  /** Which of the given candidates the planner uses for `stmt` (for the report). */
  async used(stmt: PlannedStatement, indexes: CandidateIndex[]): Promise<string[]> {
    await this.cost(stmt, indexes);
    const planned = await this.planner.plan(stmt.plan);
    return indexes.filter((c) => planned.indexes.includes(this.live.get(c.key)!.planName)).map((c) => c.key);
  }

  async clear(): Promise<void> {
    await this.engine.reset();
    this.live.clear();
  }
}
