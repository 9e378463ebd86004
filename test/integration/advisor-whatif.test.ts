/**
 * Planning without running, and the what-if engines, against a real PostgreSQL 15 with HypoPG.
 * Everything the advisor does runs as the restricted role of sql/roles.sql (fixtures as the
 * superuser): HypoPG needs only SELECT; the trial engine builds real indexes, which only the
 * table's owner may do, so it runs with `GRANT <owner_role> TO pgsteward` (test/support/owner.ts).
 */
import { Db, fromUrl } from '../../lib/pg';
import { Planner } from '../../lib/advisor/plan';
import { HypoPGEngine, HypoPGMissingError } from '../../lib/advisor/whatif/hypopg';
import { TrialEngine, TrialNotOwnerError, TrialTableTooLargeError } from '../../lib/advisor/whatif/trial';
import { createIndexSql, indexName } from '../../lib/advisor/index-sql';
import { useTestDatabase } from '../support/db';
import { expectRestricted, useOwnerRole } from '../support/owner';

const session = { statementTimeoutMs: 10000, lockTimeoutMs: 1000, connectTimeoutMs: 5000 };
const orders = { schema: 'public', name: 'orders' };

describe('advisor: planning and what-if', () => {
  const t = useTestDatabase();

  beforeAll(async () => {
    await t.admin.query(`create table orders (id bigserial primary key, customer_id int not null, status text not null, created_at timestamptz not null, total numeric)`);
    await t.admin.query(`insert into orders (customer_id, status, created_at, total)
      select g % 20000, case when g % 100 = 0 then 'pending' else 'shipped' end, now() - (g || ' minutes')::interval, g % 500
      from generate_series(1, 200000) g`);
    await t.admin.query(`analyze orders`);
    // The role script grants what advise needs (EXPLAIN needs SELECT on the tables it plans).
    t.applyRoleScript();
  });

  async function steward(): Promise<Db> {
    const db = await Db.connect(fromUrl(t.stewardUrl), session);
    await expectRestricted(db);
    return db;
  }

  it('plans a statement with parameters without running it, through PREPARE on PostgreSQL 15', async () => {
    const db = await steward();
    try {
      const p = new Planner(db);
      const plan = await p.plan({ text: 'select * from orders where customer_id = $1', paramCount: 1 });
      expect(plan.estimate).toBe('generic');
      expect(plan.totalCost).toBeGreaterThan(1000);
      expect(plan.indexes).toEqual([]);
      // Nothing prepared is left behind, and the statement never ran.
      expect((await db.query(`select count(*)::int as n from pg_prepared_statements`))[0].n).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('proves an index with HypoPG: the planner picks it and the cost falls, and nothing is left', async () => {
    const db = await steward();
    try {
      const p = new Planner(db);
      const engine = await HypoPGEngine.open(db);
      const before = await p.plan({ text: 'select * from orders where customer_id = $1', paramCount: 1 });
      const idx = await engine.add({ table: orders, columns: [{ name: 'customer_id' }] });
      expect(idx.sizeBytes).toBeGreaterThan(1_000_000);
      const after = await p.plan({ text: 'select * from orders where customer_id = $1', paramCount: 1 });
      expect(after.indexes).toEqual([idx.planName]);
      expect(after.totalCost).toBeLessThan(before.totalCost / 20);
      await engine.remove(idx);
      expect((await p.plan({ text: 'select * from orders where customer_id = $1', paramCount: 1 })).totalCost).toBeCloseTo(before.totalCost);
      await engine.add({ table: orders, columns: [{ name: 'status' }] });
      await engine.close();
      expect((await db.query(`select count(*)::int as n from hypopg()`))[0].n).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('names parameter types it cannot infer, and plans representative values as a custom plan', async () => {
    const db = await steward();
    try {
      const p = new Planner(db);
      const engine = await HypoPGEngine.open(db);
      await engine.add({ table: orders, columns: [{ name: 'status' }] });
      // $2 alone in the select list has no type to infer: retried as text.
      const odd = await p.plan({ text: 'select $2, id from orders where customer_id = $1', paramCount: 2 });
      expect(odd.totalCost).toBeGreaterThan(0);
      // 1% of rows are pending: the generic plan assumes 1/n_distinct = 50%, a real value shows the index pays.
      const generic = await p.plan({ text: 'select * from orders where status = $1', paramCount: 1 });
      const rare = await p.plan({ text: 'select * from orders where status = $1', paramCount: 1, values: new Map([[1, 'pending']]) });
      expect(rare.estimate).toBe('representative');
      expect(rare.totalCost).toBeLessThan(generic.totalCost / 2);
      expect(rare.indexes.length).toBe(1);
      // A value with a quote in it is inlined safely.
      await expect(p.plan({ text: 'select * from orders where status = $1', paramCount: 1, values: new Map([[1, "it's; drop table orders"]]) })).resolves.toBeDefined();
      await engine.close();
    } finally {
      await db.close();
    }
  });

  it('says how to install HypoPG when the extension is missing', async () => {
    await t.admin.query(`create database ${t.name}_nohypo`);
    // Every role may connect to a new database (CONNECT is granted to PUBLIC): pgsteward sees no HypoPG there.
    const db = await Db.connect(fromUrl(t.stewardUrl.replace(`/${t.name}`, `/${t.name}_nohypo`)), session);
    try {
      const err = await HypoPGEngine.open(db).catch((e) => e);
      expect(err).toBeInstanceOf(HypoPGMissingError);
      expect(err.message).toContain('CREATE EXTENSION hypopg');
    } finally {
      await db.close();
      await t.admin.query(`drop database ${t.name}_nohypo`);
    }
  });

  it('the trial engine refuses, naming the owner, while pgsteward is not the table owner (and leaves nothing)', async () => {
    const db = await steward();
    try {
      const engine = new TrialEngine(db, { maxTableBytes: 1024 ** 3 });
      const err = await engine.add({ table: orders, columns: [{ name: 'customer_id' }] }).catch((e) => e);
      expect(err).toBeInstanceOf(TrialNotOwnerError);
      expect(err.message).toContain('only the owner of public.orders');
      await engine.close();
      expect((await t.admin.query(`select count(*)::int as n from pg_indexes where indexname like 'pgsteward_trial_%'`)).rows[0].n).toBe(0);
    } finally {
      await db.close();
    }
  });

  describe('with GRANT <owner_role> TO pgsteward', () => {
    // A nested describe: the owner role is made, given orders and granted to pgsteward only
    // before these tests (useOwnerRole's beforeAll), so the tests above prove SELECT is enough.
    useOwnerRole(t);

    it('the trial engine builds real indexes in a transaction it always rolls back, and refuses large tables', async () => {
      const db = await steward();
      try {
        const p = new Planner(db);
        const engine = new TrialEngine(db, { maxTableBytes: 1024 ** 3 });
        const before = await p.plan({ text: 'select * from orders where customer_id = $1 order by created_at desc limit 10', paramCount: 1 });
        const idx = await engine.add({ table: orders, columns: [{ name: 'customer_id' }, { name: 'created_at', direction: 'desc' }] });
        const after = await p.plan({ text: 'select * from orders where customer_id = $1 order by created_at desc limit 10', paramCount: 1 });
        expect(after.indexes).toEqual([idx.planName]);
        expect(after.totalCost).toBeLessThan(before.totalCost / 20);
        await engine.close();
        expect((await t.admin.query(`select count(*)::int as n from pg_indexes where indexname like 'pgsteward_trial_%'`)).rows[0].n).toBe(0);
        const small = new TrialEngine(db, { maxTableBytes: 1000 });
        await expect(small.add({ table: orders, columns: [{ name: 'status' }] })).rejects.toBeInstanceOf(TrialTableTooLargeError);
        await small.close();
      } finally {
        await db.close();
      }
    });
  });

  it('writes runnable CREATE INDEX statements with quoted identifiers and stable names', async () => {
    await t.admin.query(`create table "Mixed Case" ("CustomerId" int, "Created At" timestamptz)`);
    const def = { table: { schema: 'public', name: 'Mixed Case' }, columns: [{ name: 'CustomerId' }, { name: 'Created At', direction: 'desc' as const }] };
    const name = indexName(def);
    expect(name).toMatch(/^mixed_case_customerid_created_at_idx_[0-9a-f]{8}$/);
    const sql = createIndexSql(def, { name, concurrently: true });
    expect(sql).toBe(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "${name}" ON "public"."Mixed Case" ("CustomerId", "Created At" DESC)`);
    await t.admin.query(sql);
    expect((await t.admin.query(`select count(*)::int as n from pg_indexes where indexname = $1`, [name])).rows[0].n).toBe(1);
    const long = { table: orders, columns: Array.from({ length: 12 }, (_, i) => ({ name: `a_rather_long_column_name_${i}` })) };
    expect(Buffer.byteLength(indexName(long))).toBeLessThanOrEqual(63);
    expect(indexName(long)).not.toBe(indexName({ ...long, columns: long.columns.slice(0, 11) }));
  });
});
