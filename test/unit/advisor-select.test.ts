import { Candidate, CostOracle, selectIndexes, WorkloadStatement } from '../../lib/advisor/select';

/** A fake planner: each statement has a base cost and a best cost per index; several indexes take the best. */
function oracle(table: Record<string, { base: number; with: Record<string, number> }>): CostOracle & { calls: number } {
  const o = {
    calls: 0,
    async cost(s: WorkloadStatement, indexes: Candidate[]) {
      o.calls++;
      const t = table[s.id];
      return Math.min(t.base, ...indexes.map((i) => t.with[i.key] ?? t.base));
    },
  };
  return o;
}

const cand = (key: string, sizeMB: number, table = 't', writeCost = 0): Candidate => ({ key, table, sizeBytes: sizeMB * 1024 * 1024, writeCost });
const stmt = (id: string, weight = 1, tables = ['t']): WorkloadStatement => ({ id, weight, tables });

describe('index selection for the workload', () => {
  it('chooses by benefit per byte within the budget', async () => {
    const o = oracle({ q1: { base: 100, with: { a: 10, b: 20 } }, q2: { base: 100, with: { b: 30 } } });
    const r = await selectIndexes([stmt('q1'), stmt('q2')], [cand('a', 10), cand('b', 10)], o, { budgetBytes: 15 * 1024 * 1024, maxPerTable: 4 });
    // b saves 80 + 70 = 150 for 10 MB; a saves 90.
    expect(r.chosen.map((c) => c.key)).toEqual(['b']);
    expect(r.baseCost).toBe(200);
    expect(r.finalCost).toBe(50);
  });

  it('takes both when the budget allows and each still helps', async () => {
    const o = oracle({ q1: { base: 100, with: { a: 10, b: 20 } }, q2: { base: 100, with: { b: 30 } } });
    const r = await selectIndexes([stmt('q1'), stmt('q2')], [cand('a', 10), cand('b', 10)], o, { budgetBytes: 100 * 1024 * 1024, maxPerTable: 4 });
    expect(r.chosen.map((c) => c.key).sort()).toEqual(['a', 'b']);
    expect(r.finalCost).toBe(40);
  });

  it('swaps an early big index for a smaller one that does better', async () => {
    // big helps q1 and q2 a bit (best ratio first); small1 + small2 together beat it but only one fits with big.
    const o = oracle({
      q1: { base: 100, with: { big: 50, small1: 5 } },
      q2: { base: 100, with: { big: 50, small2: 5 } },
    });
    const cands = [cand('big', 10), cand('small1', 10), cand('small2', 10)];
    const r = await selectIndexes([stmt('q1'), stmt('q2')], cands, o, { budgetBytes: 20 * 1024 * 1024, maxPerTable: 4 });
    expect(r.chosen.map((c) => c.key).sort()).toEqual(['small1', 'small2']);
    expect(r.finalCost).toBe(10);
  });

  it('charges write cost, and respects the per-table limit', async () => {
    const o = oracle({ q1: { base: 100, with: { a: 90 } }, q2: { base: 100, with: { b: 10, c: 20 } } });
    const r = await selectIndexes([stmt('q1'), stmt('q2')], [cand('a', 1, 't', 50), cand('b', 1), cand('c', 1)], o, { budgetBytes: 1e12, maxPerTable: 1 });
    // a saves 10 but costs 50 in writes: never worth it. Only one index on t.
    expect(r.chosen.map((c) => c.key)).toEqual(['b']);
  });

  it('weights statements by calls and memoises what-if calls', async () => {
    const o = oracle({ rare: { base: 1000, with: { a: 1 } }, hot: { base: 10, with: { b: 1 } } });
    const r = await selectIndexes([stmt('rare', 1), stmt('hot', 1000)], [cand('a', 10), cand('b', 10)], o, { budgetBytes: 10 * 1024 * 1024, maxPerTable: 4 });
    // rare saves 999 × 1; hot saves 9 × 1000 = 9000.
    expect(r.chosen.map((c) => c.key)).toEqual(['b']);
    expect(r.oracleCalls).toBe(o.calls);
    expect(r.oracleCalls).toBeLessThanOrEqual(6);
  });

  it('only prices statements on the candidate table', async () => {
    const o = oracle({ q1: { base: 100, with: { a: 10 } }, q2: { base: 100, with: {} } });
    const r = await selectIndexes([stmt('q1', 1, ['t']), stmt('q2', 1, ['u'])], [cand('a', 1, 't')], o, { budgetBytes: 1e12, maxPerTable: 4 });
    expect(r.perStatement.get('q2')).toEqual({ before: 100, after: 100 });
    expect(r.perStatement.get('q1')).toEqual({ before: 100, after: 10 });
  });
});
