/**
 * Statements the planner could only plan generically before: parameters inside OR branches
 * (TPC-H Q19's shape) now get representative values from pg_stats, one per branch, and CASE
 * results that normalization turned into bare parameters (Q12's count-if) are planned at all.
 * Against a real PostgreSQL 15 with HypoPG; nothing is mocked.
 */
import { Db, fromUrl } from '../../lib/pg';
import { loadCatalog } from '../../lib/advisor/catalog';
import { prepareParser } from '../../lib/advisor/parse';
import { Planner } from '../../lib/advisor/plan';
import { HypoPGEngine } from '../../lib/advisor/whatif/hypopg';
import { buildWorkload } from '../../lib/advisor/workload';
import type { CollectedStatement } from '../../lib/advisor/types';
import { useTestDatabase } from '../support/db';

const session = { statementTimeoutMs: 10000, lockTimeoutMs: 1000, connectTimeoutMs: 5000 };

/** Normalized texts as pg_stat_statements stores them. */
const OR_BRANCHES = `select sum(price) from parts
  where (brand = $1 and size between $2 and $3 and qty >= $4)
     or (brand = $5 and size between $6 and $7 and qty >= $8)`;
const COUNT_IF = `select kind, sum(case when brand = $1 or brand = $2 then $3 else $4 end) as hits
  from parts where size < $5 group by kind`;

function collected(queryid: string, query: string): CollectedStatement {
  return { queryid, query, user: 'pgsteward', calls: 10, totalExecMs: 100, meanExecMs: 10, rows: 1, sharedBlksHit: 0, sharedBlksRead: 0, source: 'cumulative' };
}

describe('advisor: OR branches and CASE results', () => {
  const t = useTestDatabase();

  beforeAll(async () => {
    await prepareParser();
    await t.admin.query(`select setseed(0.42)`);
    // 40 brands, sizes 1–50, quantities 1–50: one brand and a size window is a few hundred rows
    // of 200,000, which an index on brand finds; the generic plan cannot tell.
    await t.admin.query(`create table parts (id serial primary key, brand text not null, size int not null, qty int not null, kind text not null, price numeric not null)`);
    await t.admin.query(`insert into parts (brand, size, qty, kind, price)
      select 'Brand#' || (g % 40), 1 + (g / 40) % 50, 1 + (g * 7) % 50, (array['a','b','c'])[1 + g % 3], g % 1000
      from generate_series(1, 200000) g`);
    await t.admin.query(`analyze parts`);
    t.applyRoleScript();
  });

  async function workload(db: Db, statements: CollectedStatement[]) {
    return buildWorkload(db, statements, await loadCatalog(db), new Planner(db));
  }

  it('plans a statement whose parameters sit in OR branches with representative values, a different one per branch', async () => {
    const db = await Db.connect(fromUrl(t.stewardUrl), session);
    try {
      const w = await workload(db, [collected('1', OR_BRANCHES)]);
      expect(w.skipped).toEqual([]);
      const [item] = w.items;
      expect(item.estimate).toBe('representative');
      const v = item.plan.values!;
      // Real brands from pg_stats, and not the same one twice: identical branches would be
      // folded by the planner into one AND, which is not the statement that runs.
      expect(v.get(1)).toMatch(/^Brand#\d+$/);
      expect(v.get(5)).toMatch(/^Brand#\d+$/);
      expect(v.get(5)).not.toBe(v.get(1));
      // Each size window is non-empty and lies within the column's values.
      for (const [lo, hi] of [[2, 3], [6, 7]]) {
        expect(Number(v.get(lo))).toBeGreaterThanOrEqual(1);
        expect(Number(v.get(hi))).toBeLessThanOrEqual(50);
        expect(Number(v.get(lo))).toBeLessThan(Number(v.get(hi)));
      }
      // The brand column is compared in every branch: a candidate, and one index on it serves
      // both branches (a BitmapOr) at a fraction of the scan's cost.
      expect(item.resolved.tables[0].orColumns).toEqual(expect.arrayContaining(['brand', 'size', 'qty']));
      const engine = await HypoPGEngine.open(db);
      try {
        await engine.add({ table: { schema: 'public', name: 'parts' }, columns: [{ name: 'brand' }] });
        const planner = new Planner(db);
        const withIndex = await planner.plan(item.plan);
        expect(withIndex.indexes.length).toBe(1);
        expect(withIndex.totalCost).toBeLessThan(item.baseCost / 2);
      } finally {
        await engine.close();
      }
    } finally {
      await db.close();
    }
  });

  it('plans a CASE whose results are bare parameters (a normalized count-if) instead of skipping it', async () => {
    const db = await Db.connect(fromUrl(t.stewardUrl), session);
    try {
      const w = await workload(db, [collected('2', COUNT_IF)]);
      expect(w.skipped).toEqual([]);
      expect(w.items).toHaveLength(1);
      expect(w.items[0].baseCost).toBeGreaterThan(0);
      // $1 and $2 take the column's type from the comparisons inside the CASE.
      expect(w.items[0].plan.paramTypes?.get(1)).toBe('text');
      expect(w.items[0].plan.untypedResults).toEqual([3, 4]);
    } finally {
      await db.close();
    }
  });

  it('still plans a CASE whose bare-parameter results are strings, as text', async () => {
    const db = await Db.connect(fromUrl(t.stewardUrl), session);
    try {
      const planner = new Planner(db);
      const plan = await planner.plan({ text: `select case when size > $1 then $2 else $3 end as label, count(*) from parts group by 1`, paramCount: 3, untypedResults: [2, 3] });
      expect(plan.totalCost).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  });
});
