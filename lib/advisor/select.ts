/**
 * Choosing indexes for the whole workload under a storage budget (the selection step of
 * Kossmann et al., VLDB 2020). Greedy by benefit per byte, like Extend and DB2Advis, then a
 * swap pass that trades a chosen index for an unchosen one when the workload gains: greedy alone
 * keeps an early big index that two later small ones would beat.
 *
 * benefit(c | chosen) = Σ_statements weight × (cost(chosen) − cost(chosen ∪ {c})) − writeCost(c)
 *
 * Costs come from a CostOracle (HypoPG + the planner in production, a fake in unit tests), and
 * are memoised by the set of candidate indexes on the statement's own tables, which is all the
 * planner can see of a configuration for that statement.
 */

export interface Candidate {
  key: string;
  /** schema.name of the table. */
  table: string;
  sizeBytes: number;
  /** Maintenance cost per unit of workload weight (same units as weight × planner cost). */
  writeCost: number;
}

export interface WorkloadStatement {
  id: string;
  /** How much the statement counts: calls in the interval. */
  weight: number;
  /** schema.name of every table the statement reads. */
  tables: string[];
}

export interface CostOracle {
  /** Planner cost of `stmt` when exactly `indexes` (all on its tables) exist besides the real ones. */
  cost(stmt: WorkloadStatement, indexes: Candidate[]): Promise<number>;
}

export interface SelectOptions {
  budgetBytes: number;
  maxPerTable: number;
  /** Give up improving after this many oracle calls (a safety net for huge workloads). */
  maxOracleCalls?: number;
}

export interface Selection {
  chosen: Candidate[];
  /** Workload cost (Σ weight × cost) with nothing added, and with the chosen indexes. */
  baseCost: number;
  finalCost: number;
  /** Per statement: cost before and after. */
  perStatement: Map<string, { before: number; after: number }>;
  oracleCalls: number;
}

export async function selectIndexes(workload: WorkloadStatement[], candidates: Candidate[], oracle: CostOracle, opts: SelectOptions): Promise<Selection> {
  const memo = new Map<string, number>();
  let calls = 0;
  const limit = opts.maxOracleCalls ?? Infinity;
  const costOf = async (s: WorkloadStatement, config: Candidate[]): Promise<number> => {
    const mine = config.filter((c) => s.tables.includes(c.table)).sort((a, b) => (a.key < b.key ? -1 : 1));
    const k = `${s.id}\u0000${mine.map((c) => c.key).join('\u0000')}`;
    let v = memo.get(k);
    if (v === undefined) {
      calls++;
      v = await oracle.cost(s, mine);
      memo.set(k, v);
    }
    return v;
  };
  const workloadCost = async (config: Candidate[], only?: string): Promise<number> => {
    let total = 0;
    for (const s of workload) {
      if (only && !s.tables.includes(only)) continue;
      total += s.weight * (await costOf(s, config));
    }
    return total;
  };
  const net = async (config: Candidate[]): Promise<number> =>
    (await workloadCost(config)) + config.reduce((sum, c) => sum + c.writeCost, 0);

  const fits = (config: Candidate[], c: Candidate) =>
    config.reduce((s, x) => s + x.sizeBytes, 0) + c.sizeBytes <= opts.budgetBytes &&
    config.filter((x) => x.table === c.table).length < opts.maxPerTable;

  // Greedy: the candidate with the best net benefit per byte, while any helps.
  const chosen: Candidate[] = [];
  let current = await net(chosen);
  const baseCost = await workloadCost([]);
  for (;;) {
    let best: { c: Candidate; gain: number; cost: number } | undefined;
    for (const c of candidates) {
      if (chosen.includes(c) || !fits(chosen, c) || calls >= limit) continue;
      // Only statements on c's table can change: price just those.
      const before = await workloadCost(chosen, c.table);
      const after = await workloadCost([...chosen, c], c.table);
      const gain = before - after - c.writeCost;
      if (gain <= 0) continue;
      if (!best || gain / Math.max(c.sizeBytes, 1) > best.gain / Math.max(best.c.sizeBytes, 1)) best = { c, gain, cost: current - gain };
    }
    if (!best) break;
    chosen.push(best.c);
    current = best.cost;
  }

  // Swaps: replace one chosen index by one unchosen when the whole workload gets cheaper.
  let improved = true;
  while (improved && calls < limit) {
    improved = false;
    for (const out of [...chosen]) {
      const rest = chosen.filter((c) => c !== out);
      for (const c of candidates) {
        if (chosen.includes(c) || !fits(rest, c) || calls >= limit) continue;
        const trial = [...rest, c];
        const cost = await net(trial);
        if (cost < current - 1e-9) {
          chosen.splice(chosen.indexOf(out), 1, c);
          current = cost;
          improved = true;
          break;
        }
      }
      if (improved) break;
    }
  }

  // Drop any chosen index the final configuration does not need (its removal costs nothing).
  for (const c of [...chosen]) {
    const without = chosen.filter((x) => x !== c);
    if ((await net(without)) <= current + 1e-9) {
      chosen.splice(chosen.indexOf(c), 1);
      current = await net(chosen);
    }
  }

  const perStatement = new Map<string, { before: number; after: number }>();
  for (const s of workload) perStatement.set(s.id, { before: await costOf(s, []), after: await costOf(s, chosen) });
  return { chosen, baseCost, finalCost: await workloadCost(chosen), perStatement, oracleCalls: calls };
}
