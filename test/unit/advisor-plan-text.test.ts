import { Client } from 'pg';
import { parseStatement, prepareParser } from '../../lib/advisor/parse';
import type { ParsedStatement } from '../../lib/advisor/parse';
import { planText } from '../../lib/advisor/plan-text';
import { useTestDatabase } from '../support/db';

beforeAll(() => prepareParser());

function parsed(q: string): ParsedStatement {
  const r = parseStatement(q);
  if (!r.ok) throw new Error(`${r.reason}: ${r.message}`);
  return r;
}
const text = (q: string) => {
  const r = planText(parsed(q));
  if ('skip' in r) throw new Error(`skipped: ${r.skip}`);
  return r.text;
};
const skip = (q: string) => {
  const r = planText(parsed(q));
  return 'skip' in r ? r.skip : `not skipped: ${r.text}`;
};

describe('planText: UPDATE and DELETE become the SELECT that finds their rows', () => {
  it('selects and other kinds', () => {
    expect(text('select * from t where a = date $1')).toBe('select * from t where a = $1::date');
    expect(skip('insert into t values ($1)')).toMatch(/insert statements are not planned/);
  });

  it('plain DELETE and UPDATE, with and without WHERE', () => {
    expect(text('delete from t where id = $1')).toBe('SELECT t.ctid FROM t WHERE id = $1');
    expect(text('DELETE FROM t')).toBe('SELECT t.ctid FROM t');
    expect(text('update t set a = $1, b = b + $2 where id = $3')).toBe('SELECT t.ctid FROM t WHERE id = $3');
    expect(text('update t set a = $1')).toBe('SELECT t.ctid FROM t');
  });

  it('aliases, schemas, ONLY and inheritance stars', () => {
    expect(text('delete from s.t as a where a.id = $1')).toBe('SELECT a.ctid FROM s.t AS a WHERE a.id = $1');
    expect(text('delete from s.t a where a.id = $1')).toBe('SELECT a.ctid FROM s.t AS a WHERE a.id = $1');
    expect(text('delete from s.t where t.id = $1')).toBe('SELECT s.t.ctid FROM s.t WHERE t.id = $1');
    expect(text('update only t set a = $1 where id = $2')).toBe('SELECT t.ctid FROM ONLY t WHERE id = $2');
    expect(text('delete from only (s.t) where id = $1')).toBe('SELECT s.t.ctid FROM ONLY s.t WHERE id = $1');
    expect(text('delete from t * where id = $1')).toBe('SELECT t.ctid FROM t WHERE id = $1');
  });

  it('quoted identifiers, also ones spelled like keywords', () => {
    expect(text('update "Sales"."Order" as "o" set "where" = $1 where "o"."returning" = $2 and "using" = $3')).toBe(
      'SELECT o.ctid FROM "Sales"."Order" AS o WHERE "o"."returning" = $2 and "using" = $3',
    );
    expect(text('delete from "order" "From" where "From".id = $1')).toBe('SELECT "From".ctid FROM "order" AS "From" WHERE "From".id = $1');
  });

  it('DELETE … USING and UPDATE … FROM join the target; RETURNING is dropped', () => {
    expect(text('DELETE FROM t AS a USING u JOIN v USING (id) WHERE a.i = u.i AND u.d > date $1 RETURNING a.*')).toBe(
      'SELECT a.ctid FROM t AS a, u JOIN v USING (id) WHERE a.i = u.i AND u.d > $1::date',
    );
    expect(text('delete from t using u returning t.id')).toBe('SELECT t.ctid FROM t, u');
    expect(text('update t x set a = b is distinct from c, d = (select 1 from z where q) from u, rows from (f()) g where x.i = u.i returning 1;')).toBe(
      'SELECT x.ctid FROM t AS x, u, rows from (f()) g WHERE x.i = u.i',
    );
    expect(text('update t set (a, b) = (select u.a, u.b from u where u.id = t.id) from v where v.id = t.vid and v.k = $1')).toBe(
      'SELECT t.ctid FROM t, v WHERE v.id = t.vid and v.k = $1',
    );
  });

  it('comments and strings holding WHERE, USING, FROM or RETURNING', () => {
    const q = `/* delete from x where */ delete from t -- using u where
      where s = 'where returning' /* returning */ and note <> 'using from' -- returning
      and "where" = $1`;
    expect(text(q)).toBe(`SELECT t.ctid FROM t WHERE s = 'where returning' /* returning */ and note <> 'using from' -- returning
      and "where" = $1`);
    expect(text(`update t set s = 'from u where' where id = $1 returning 'returning'`)).toBe('SELECT t.ctid FROM t WHERE id = $1');
    expect(text(`delete from t where s = $$ where $$ and id = $1 -- returning`)).toBe('SELECT t.ctid FROM t WHERE s = $$ where $$ and id = $1');
  });

  it('subqueries in WHERE, with their own WHERE, FROM and RETURNING-free clauses', () => {
    expect(text('delete from t where id in (select t_id from u where u.x = $1) and exists (select from v where v.id = t.id) returning id')).toBe(
      'SELECT t.ctid FROM t WHERE id in (select t_id from u where u.x = $1) and exists (select from v where v.id = t.id)',
    );
    expect(text('update t set n = n + 1 where x is not distinct from $1 and y = any (select y from u where z = $2)')).toBe(
      'SELECT t.ctid FROM t WHERE x is not distinct from $1 and y = any (select y from u where z = $2)',
    );
  });

  it('keeps WITH, rewritten typed literals and special forms', () => {
    expect(text('with old as (select id from t where d < date $1 - interval $2 day) delete from t using old where t.id = old.id')).toBe(
      'with old as (select id from t where d < $1::date - $2::interval day) SELECT t.ctid FROM t, old WHERE t.id = old.id',
    );
    expect(text('with recursive r(n) as (select 1 union all select n + 1 from r where n < 5) update t set a = $1 where extract($2 from d) in (select n from r)')).toBe(
      'with recursive r(n) as (select 1 union all select n + 1 from r where n < 5) SELECT t.ctid FROM t WHERE pg_catalog.date_part($2, d) in (select n from r)',
    );
  });

  it('multi-byte characters before the clauses', () => {
    expect(text(`delete from "tablé" where s = 'é€😀' and i = $1 returning 'x'`)).toBe(`SELECT "tablé".ctid FROM "tablé" WHERE s = 'é€😀' and i = $1`);
  });

  it('skips what a read cannot stand for', () => {
    expect(skip('update t set a = 1 where current of c')).toMatch(/CURRENT OF/);
    expect(skip('delete from t where current of c')).toMatch(/CURRENT OF/);
    expect(skip('with d as (delete from x returning *) delete from t using d where t.i = d.i')).toMatch(/data-modifying statement \(DELETE\)/);
    expect(skip('with i as (insert into x values (1) returning *) update t set a = 1 from i where t.i = i.i')).toMatch(/\(INSERT\)/);
  });
});

describe('against the server: the SELECT plans with SELECT privilege only, on the same target scan', () => {
  const db = useTestDatabase();
  let steward: Client;

  beforeAll(async () => {
    await db.admin.query(`
      create table pt_orders (id int primary key, customer_id int, status text, created date, note text);
      create index pt_orders_customer on pt_orders (customer_id);
      create index pt_orders_created on pt_orders (created);
      create table pt_items (id int primary key, order_id int, qty int);
      create index pt_items_order on pt_items (order_id);
      create schema "Sales";
      create table "Sales"."Order" ("Id" int primary key, "where" text);
      insert into pt_orders select g, g % 1000, case when g % 10 = 0 then 'open' else 'done' end, date '2024-01-01' + g % 365, 'n' from generate_series(1, 20000) g;
      insert into pt_items select g, g % 20000 + 1, g % 7 from generate_series(1, 40000) g;
      analyze;`);
    // All-visible pages: a SELECT of indexed columns alone would be an index-only scan.
    await db.admin.query('vacuum pt_items');
    db.applyRoleScript(); // SELECT on the tables, nothing more
    steward = new Client({ connectionString: db.stewardUrl });
    steward.on('error', () => undefined); // the database is dropped (with force) after the file
    await steward.connect();
  });
  afterAll(() => steward?.end());

  const statements = [
    'delete from pt_orders where id = $1',
    'delete from pt_orders o where o.customer_id = $1 and o.created < date $2 returning o.id',
    // ctid, not `1`: the DELETE's Index Scan, not an Index Only Scan it cannot use.
    'delete from pt_items where order_id = $1',
    'delete from pt_items i using pt_orders o where i.order_id = o.id and o.customer_id = $1',
    'update pt_orders set status = $1, note = note || $2 where customer_id = $3',
    'update pt_items as i set qty = i.qty + $1 from pt_orders o where o.id = i.order_id and o.id = $2 returning i.*',
    `update pt_orders set note = $1 where extract($2 from created) = $3 and id = $4`,
    'with recent as (select id from pt_orders where created > date $1 - interval $2 day) delete from pt_items where order_id in (select id from recent)',
    `update "Sales"."Order" as o set "where" = $1 where o."Id" = $2`,
  ];

  it('the role cannot EXPLAIN the statement itself', async () => {
    await expect(steward.query('explain delete from pt_orders where id = 1')).rejects.toThrow(/permission denied/);
  });

  it.each(statements)('%s', async (q) => {
    const p = parsed(q);
    const r = planText(p);
    if ('skip' in r) throw new Error(r.skip);
    const read = await genericPlan(steward, r.text, p);
    const write = await genericPlan(db.admin, p.text, p);
    // The target's scan: same node and index in the DELETE/UPDATE plan and in the SELECT's.
    const target = /(?:update|delete from)\s+("Sales"\."Order"|\w+)/i.exec(q)![1].replace(/"Sales"\./, '').replace(/"/g, '');
    expect(scanOf(read, target)).toEqual(scanOf(write, target));
    expect(scanOf(read, target)).toBeDefined();
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** PREPARE under force_generic_plan, as plan.ts does on PostgreSQL 15; untyped parameters as text. */
async function genericPlan(c: Client, sql: string, p: ParsedStatement): Promise<PlanNode> {
  const types = new Map(p.paramTypes);
  await c.query('set plan_cache_mode = force_generic_plan');
  for (let attempt = 0; ; attempt++) {
    const list = Array.from({ length: p.paramCount }, (_, i) => types.get(i + 1) ?? 'unknown');
    try {
      await c.query(`prepare pt${list.length ? `(${list.join(', ')})` : ''} as ${sql}`);
      break;
    } catch (err) {
      const m = /could not determine data type of parameter \$(\d+)/.exec((err as Error).message);
      if (!m || attempt > p.paramCount) throw err;
      types.set(Number(m[1]), 'text');
    }
  }
  try {
    const args = Array.from({ length: p.paramCount }, () => 'null');
    const { rows } = await c.query(`explain (format json) execute pt${args.length ? `(${args.join(', ')})` : ''}`);
    return rows[0]['QUERY PLAN'][0].Plan;
  } finally {
    await c.query('deallocate pt');
  }
}

function scanOf(n: PlanNode, relation: string): string | undefined {
  if (n['Relation Name'] === relation && n['Node Type'] !== 'ModifyTable') return `${n['Node Type']} ${n['Index Name'] ?? ''}`.trim();
  for (const c of n.Plans ?? []) {
    const s = scanOf(c, relation);
    if (s) return s;
  }
  return undefined;
}
