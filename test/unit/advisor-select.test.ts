import { Candidate, CostOracle, Priced, selectIndexes, WorkloadStatement } from '../../lib/advisor/select';

interface Costs {
  base: number;
  /** Cost with one index (the best one wins when several exist). */
  with: Record<string, number>;
  /** Cost with a set of indexes together ('a+b', keys sorted), when better than each alone. */
  together?: Record<string, number>;
}

/**
 * A fake planner: each statement has a base cost and a cost per index; several indexes take the
 * best one (or a `together` entry). `price` says which indexes the cheapest plan uses.
 */
function oracle(table: Record<string, Costs>): CostOracle & { calls: number; asked: string[] } {
  const price = (s: WorkloadStatement, indexes: Candidate[]): Priced => {
    const t = table[s.id];
    const keys = indexes.map((i) => i.key).sort();
    let best: Priced = { cost: t.base, used: [] };
    for (const k of keys) if ((t.with[k] ?? t.base) < best.cost) best = { cost: t.with[k], used: [k] };
    for (const [combo, cost] of Object.entries(t.together ?? {})) {
      const parts = combo.split('+');
      if (parts.every((p) => keys.includes(p)) && cost < best.cost) best = { cost, used: parts };
    }
    return best;
  };
  const o = {
    calls: 0,
    asked: [] as string[],
    async cost(s: WorkloadStatement, indexes: Candidate[]) {
      return (await o.price(s, indexes)).cost;
    },
    async price(s: WorkloadStatement, indexes: Candidate[]) {
      o.calls++;
      o.asked.push(`${s.id}:${indexes.map((i) => i.key).sort().join('+')}`);
      return price(s, indexes);
    },
  };
  return o;
}

const MB = 1024 * 1024;
const cand = (key: string, sizeMB: number, table = 't', writeCost = 0, more: Partial<Candidate> = {}): Candidate => ({ key, table, sizeBytes: sizeMB * MB, writeCost, ...more });
const stmt = (id: string, weight = 1, tables = ['t']): WorkloadStatement => ({ id, weight, tables });
const keys = (cs: Candidate[]) => cs.map((c) => c.key).sort();

describe('index selection for the workload', () => {
  it('chooses by benefit per byte within the budget', async () => {
    const o = oracle({ q1: { base: 100, with: { a: 10, b: 20 } }, q2: { base: 100, with: { b: 30 } } });
    const r = await selectIndexes([stmt('q1'), stmt('q2')], [cand('a', 10), cand('b', 10)], o, { budgetBytes: 15 * MB, maxPerTable: 4 });
    // b saves 80 + 70 = 150 for 10 MB; a saves 90.
    expect(keys(r.chosen)).toEqual(['b']);
    expect(r.baseCost).toBe(200);
    expect(r.finalCost).toBe(50);
  });

  it('takes both when the budget allows and each still helps', async () => {
    const o = oracle({ q1: { base: 100, with: { a: 10, b: 20 } }, q2: { base: 100, with: { b: 30 } } });
    const r = await selectIndexes([stmt('q1'), stmt('q2')], [cand('a', 10), cand('b', 10)], o, { budgetBytes: 100 * MB, maxPerTable: 4 });
    expect(keys(r.chosen)).toEqual(['a', 'b']);
    expect(r.finalCost).toBe(40);
    // What dropping each alone would cost the workload: a 10 (q1 back to 20), b 70 (q2 back to 100).
    expect(r.gains).toEqual(new Map([['a', 10], ['b', 70]]));
  });

  it('swaps an early big index for a smaller one that does better', async () => {
    // big helps q1 and q2 a bit (best ratio first); small1 + small2 together beat it but only one fits with big.
    const o = oracle({
      q1: { base: 100, with: { big: 50, small1: 5 } },
      q2: { base: 100, with: { big: 50, small2: 5 } },
    });
    const cands = [cand('big', 10), cand('small1', 10), cand('small2', 10)];
    const r = await selectIndexes([stmt('q1'), stmt('q2')], cands, o, { budgetBytes: 20 * MB, maxPerTable: 4 });
    expect(keys(r.chosen)).toEqual(['small1', 'small2']);
    expect(r.finalCost).toBe(10);
  });

  it('charges write cost, and respects the per-table limit', async () => {
    const o = oracle({ q1: { base: 100, with: { a: 90 } }, q2: { base: 100, with: { b: 10, c: 20 } } });
    const r = await selectIndexes([stmt('q1'), stmt('q2')], [cand('a', 1, 't', 50), cand('b', 1), cand('c', 1)], o, { budgetBytes: 1e12, maxPerTable: 1 });
    // a saves 10 but costs 50 in writes: never worth it. Only one index on t.
    expect(keys(r.chosen)).toEqual(['b']);
  });

  it('weights statements by calls and memoises what-if calls', async () => {
    const o = oracle({ rare: { base: 1000, with: { a: 1 } }, hot: { base: 10, with: { b: 1 } } });
    const r = await selectIndexes([stmt('rare', 1), stmt('hot', 1000)], [cand('a', 10), cand('b', 10)], o, { budgetBytes: 10 * MB, maxPerTable: 4 });
    // rare saves 999 × 1; hot saves 9 × 1000 = 9000.
    expect(keys(r.chosen)).toEqual(['b']);
    expect(r.oracleCalls).toBe(o.calls);
    expect(new Set(o.asked).size).toBe(o.asked.length);
    expect(r.oracleCalls).toBeLessThanOrEqual(6);
  });

  it('only prices statements on the candidate table', async () => {
    const o = oracle({ q1: { base: 100, with: { a: 10 } }, q2: { base: 100, with: {} } });
    const r = await selectIndexes([stmt('q1', 1, ['t']), stmt('q2', 1, ['u'])], [cand('a', 1, 't')], o, { budgetBytes: 1e12, maxPerTable: 4 });
    expect(r.perStatement.get('q2')).toEqual({ before: 100, after: 100 });
    expect(r.perStatement.get('q1')).toEqual({ before: 100, after: 10 });
    expect(o.asked.filter((a) => a.startsWith('q2:') && a !== 'q2:')).toEqual([]);
  });

  it('never prices a statement with an index it cannot use (usableBy)', async () => {
    const o = oracle({ q1: { base: 100, with: { a: 10 } }, q2: { base: 100, with: { b: 20 } } });
    const cands = [cand('a', 1, 't', 0, { usableBy: ['q1'] }), cand('b', 1, 't', 0, { usableBy: ['q2'] })];
    const r = await selectIndexes([stmt('q1'), stmt('q2')], cands, o, { budgetBytes: 1e12, maxPerTable: 4 });
    expect(keys(r.chosen)).toEqual(['a', 'b']);
    expect(o.asked.filter((a) => (a.startsWith('q1:') && a.includes('b')) || (a.startsWith('q2:') && a.includes('a')))).toEqual([]);
  });

  it('extends a chosen index (Extend) instead of keeping it beside its extension', async () => {
    // a goes first (16 per MB); ab extends it, and for 7 MB more also serves q2 (10 per MB), which
    // it could not beside a (17 MB > 13).
    const o = oracle({ q1: { base: 100, with: { a: 20, ab: 20 } }, q2: { base: 100, with: { ab: 30 } } });
    const cands = [cand('a', 5), cand('ab', 12, 't', 0, { extends: ['a'] })];
    const r = await selectIndexes([stmt('q1'), stmt('q2')], cands, o, { budgetBytes: 13 * MB, maxPerTable: 4 });
    expect(keys(r.chosen)).toEqual(['ab']);
    expect(r.finalCost).toBe(50);
  });

  it('prices a dominated candidate (bigger, and alone no better anywhere) only alone', async () => {
    const o = oracle({ q1: { base: 100, with: { a: 10, wide: 20 } }, q2: { base: 100, with: { b: 10, wide: 90 } } });
    const r = await selectIndexes([stmt('q1'), stmt('q2')], [cand('a', 1), cand('wide', 5), cand('b', 1, 't', 0)], o, { budgetBytes: 1e12, maxPerTable: 4 });
    expect(keys(r.chosen)).toEqual(['a', 'b']);
    // Dominated by neither a nor b alone, but by nothing either: wide stays a candidate...
    expect(o.asked.some((a) => a.includes('wide+') || a.includes('+wide'))).toBe(true);
    const p = oracle({ q1: { base: 100, with: { a: 10, wide: 20 } }, q2: { base: 100, with: {} } });
    await selectIndexes([stmt('q1'), stmt('q2')], [cand('a', 1), cand('wide', 5)], p, { budgetBytes: 1e12, maxPerTable: 4 });
    // ...while here a is smaller and at least as good everywhere: wide is priced alone, never with a.
    expect(p.asked.filter((x) => x.includes('wide'))).toEqual(['q1:wide', 'q2:wide']);
  });

  it("drops an index a later choice made useless, and spends what it freed", async () => {
    // small goes first (best ratio); big then serves q1 better, leaving small unused.
    const o = oracle({ q1: { base: 100, with: { small: 60, big: 10 } }, q2: { base: 100, with: { big: 10 } }, q3: { base: 100, with: { other: 70 } } });
    const cands = [cand('small', 1), cand('big', 10), cand('other', 1)];
    const r = await selectIndexes([stmt('q1'), stmt('q2'), stmt('q3')], cands, o, { budgetBytes: 11 * MB, maxPerTable: 4 });
    expect(keys(r.chosen)).toEqual(['big', 'other']);
  });

  it('never adds what the prune would drop (a crumb of a statement), so the budget goes to an index that stays', async () => {
    // crumb saves 5 of q1's 1000 (0.5%) beside a: the best ratio, but too small a share to count.
    const o = oracle({ q1: { base: 1000, with: { a: 400, crumb: 990 }, together: { 'a+crumb': 395 } }, q2: { base: 100, with: { other: 45 } } });
    const cands = [cand('a', 10), cand('crumb', 0.1), cand('other', 2)];
    const r = await selectIndexes([stmt('q1'), stmt('q2')], cands, o, { budgetBytes: 12 * MB, maxPerTable: 4, minImprovement: 0.5 });
    expect(keys(r.chosen)).toEqual(['a', 'other']);
    expect(r.finalCost).toBe(445);
  });

  describe("Dexter's rule (minImprovement)", () => {
    it('rejects an index that cuts its one statement by a third', async () => {
      const o = oracle({ q1: { base: 100, with: { lowsel: 67 } } });
      const opts = { budgetBytes: 1e12, maxPerTable: 4 };
      expect(keys((await selectIndexes([stmt('q1')], [cand('lowsel', 1)], o, { ...opts, minImprovement: 0.5 })).chosen)).toEqual([]);
      expect(keys((await selectIndexes([stmt('q1')], [cand('lowsel', 1)], o, { ...opts, minImprovement: 0 })).chosen)).toEqual(['lowsel']);
    });

    it('counts the smaller gains of an index that halves some statement', async () => {
      const o = oracle({ q1: { base: 100, with: { a: 40 } }, q2: { base: 100, with: { a: 80 } } });
      const r = await selectIndexes([stmt('q1'), stmt('q2')], [cand('a', 1)], o, { budgetBytes: 1e12, maxPerTable: 4, minImprovement: 0.5 });
      expect(keys(r.chosen)).toEqual(['a']);
      expect(r.gains.get('a')).toBe(80);
    });

    it('accepts an index whose gains span several statements', async () => {
      const o = oracle({ q1: { base: 100, with: { date: 75 } }, q2: { base: 100, with: { date: 70 } } });
      const r = await selectIndexes([stmt('q1'), stmt('q2')], [cand('date', 1)], o, { budgetBytes: 1e12, maxPerTable: 4, minImprovement: 0.5 });
      expect(keys(r.chosen)).toEqual(['date']);
    });

    it('keeps indexes that halve a statement only together', async () => {
      const o = oracle({ q1: { base: 100, with: { a: 70, b: 70 }, together: { 'a+b': 40 } } });
      const r = await selectIndexes([stmt('q1', 1, ['t', 'u'])], [cand('a', 1, 't'), cand('b', 1, 'u')], o, { budgetBytes: 1e12, maxPerTable: 4, minImprovement: 0.5 });
      expect(keys(r.chosen)).toEqual(['a', 'b']);
      expect(r.finalCost).toBe(40);
    });
  });

  it('stops improving when the oracle budget is spent', async () => {
    const table: Record<string, Costs> = {};
    const cands: Candidate[] = [];
    for (let i = 0; i < 30; i++) {
      table[`q${i}`] = { base: 100, with: { [`c${i}`]: 10 } };
      cands.push(cand(`c${i}`, 1));
    }
    const o = oracle(table);
    const r = await selectIndexes(Object.keys(table).map((id) => stmt(id)), cands, o, { budgetBytes: 1e12, maxPerTable: 100, maxOracleCalls: 50 });
    // The final bookkeeping prices each statement once more at most.
    expect(o.calls).toBeLessThanOrEqual(50 + 30 + r.chosen.length * 30);
    expect(r.chosen.length).toBeLessThan(30);
  });

  it('never does worse with a larger budget on the same workload', async () => {
    const o = oracle({
      q1: { base: 100, with: { a: 30, b: 60, c: 20 } },
      q2: { base: 100, with: { b: 40, c: 50 } },
      q3: { base: 100, with: { d: 10 } },
    });
    const cands = [cand('a', 3), cand('b', 4), cand('c', 9), cand('d', 6)];
    const work = [stmt('q1'), stmt('q2'), stmt('q3')];
    let last = Infinity;
    for (let mb = 2; mb <= 24; mb += 2) {
      const r = await selectIndexes(work, cands, o, { budgetBytes: mb * MB, maxPerTable: 4 });
      expect(r.finalCost).toBeLessThanOrEqual(last);
      last = r.finalCost;
    }
  });
});
