/**
 * The cost oracle selection asks: "what would this statement cost with exactly these candidate
 * indexes, and which of them would its plan use?" It keeps the engine's set of hypothetical
 * indexes in step with the configuration asked for, then plans once (the plan names the indexes
 * it uses, so "which" costs nothing extra). Sizes are measured once per candidate.
 *
 * Creating a hypothetical index costs about as much as planning (~0.4 ms against ~0.65 ms, field
 * notes), and consecutive questions often differ by several indexes the statement cannot use
 * anyway (another statement's, another table's). Those stay: only the indexes the statement could
 * use (on its tables, `usableBy` it) are dropped when not asked for. Should a plan still pick an
 * index it was not asked about, the oracle drops it and plans again, so an answer never depends
 * on what happened to be left over.
 */
import type { IndexDef } from '../index-sql';
import type { Planner, PlanInput } from '../plan';
import { mayAffect } from '../select';
import type { Candidate, CostOracle, Priced, WorkloadStatement } from '../select';
import type { WhatIfEngine, WhatIfIndex } from './engine';

export interface CandidateIndex extends Candidate {
  def: IndexDef;
}

export interface PlannedStatement extends WorkloadStatement {
  plan: PlanInput;
}

/** HypoPG runs out of OIDs around a thousand indexes at once (field notes); we never hold near that. */
const MAX_LIVE = 500;

interface Live {
  index: WhatIfIndex;
  candidate: CandidateIndex;
}

export class WhatIfOracle implements CostOracle {
  private live = new Map<string, Live>();
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
    return (await this.price(stmt, indexes)).cost;
  }

  async price(stmt: WorkloadStatement, indexes: Candidate[]): Promise<Priced> {
    const wanted = new Map((indexes as CandidateIndex[]).map((c) => [c.key, c]));
    for (const [key, l] of this.live) if (!wanted.has(key) && mayAffect(l.candidate, stmt)) await this.drop(key);
    if (this.live.size + wanted.size > MAX_LIVE) await this.clear();
    for (const [key, c] of wanted) if (!this.live.has(key)) this.live.set(key, { index: await this.engine.add(c.def), candidate: c });
    for (;;) {
      this.plans++;
      const planned = await this.planner.plan((stmt as PlannedStatement).plan);
      const byName = new Map([...this.live].map(([key, l]) => [l.index.planName, key]));
      const used = planned.indexes.map((n) => byName.get(n)).filter((k): k is string => k !== undefined);
      const stray = used.filter((k) => !wanted.has(k));
      if (!stray.length) return { cost: planned.totalCost, used };
      for (const key of stray) await this.drop(key);
    }
  }

  async clear(): Promise<void> {
    await this.engine.reset();
    this.live.clear();
  }

  private async drop(key: string): Promise<void> {
    await this.engine.remove(this.live.get(key)!.index);
    this.live.delete(key);
  }
}
