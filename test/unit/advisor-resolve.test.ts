import { parseStatement, prepareParser } from '../../lib/advisor/parse';
import { resolveStatement, ResolvedStatement, ResolvedTable, StatementResolver } from '../../lib/advisor/resolve';
import type { Catalog, CatalogRelation } from '../../lib/advisor/types';

beforeAll(() => prepareParser());

let nextOid = 16384;
function rel(schema: string, name: string, columns: string[], extra: Partial<CatalogRelation> = {}): CatalogRelation {
  return {
    oid: nextOid++, schema, name, kind: 'table', reltuples: 1e6, relpages: 1e4,
    columns: columns.map((c, i) => ({ name: c, type: c.endsWith('_at') ? 'timestamp with time zone' : 'integer', notNull: false, attnum: i + 1 })),
    ...extra,
  };
}

/** An in-memory catalog: qualified names exactly, unqualified ones through `searchPath`. */
function fakeCatalog(rels: CatalogRelation[], searchPath = ['public']): Catalog {
  const find = (schema: string, name: string) => rels.find((r) => r.schema === schema && r.name === name);
  return {
    lookup: (schema, name) => (schema !== undefined ? find(schema, name) : searchPath.map((s) => find(s, name)).find(Boolean)),
    byOid: (oid) => rels.find((r) => r.oid === oid),
  };
}

const orders = rel('public', 'orders', ['id', 'customer_id', 'status', 'total', 'created_at', 'deleted_at', 'note']);
const customers = rel('public', 'customers', ['id', 'name', 'region', 'email']);
const items = rel('public', 'items', ['id', 'order_id', 'sku', 'qty']);
const archive = rel('public', 'archive_orders', ['id', 'customer_id', 'status', 'region']);
const appOrders = rel('app', 'orders', ['id', 'tenant_id']);
const mixed = rel('Sales', 'Orders', ['Id', 'CustomerId', 'createdAt']);
const events = rel('public', 'events', ['id', 'account_id', 'at_time'], { kind: 'partitioned' });
const events2024 = rel('public', 'events_2024', ['id', 'account_id', 'at_time'], { parentOid: events.oid });
const activeOrders = rel('public', 'active_orders', ['id', 'customer_id', 'total', 'created_at'], {
  kind: 'view',
  viewDefinition: ' SELECT orders.id,\n    orders.customer_id,\n    orders.total,\n    orders.created_at\n   FROM orders\n  WHERE orders.deleted_at IS NULL;',
});
const bigOrders = rel('public', 'big_orders', ['id', 'customer', 'created_at'], {
  kind: 'view',
  viewDefinition: ' SELECT a.id,\n    a.customer_id AS customer,\n    a.created_at\n   FROM active_orders a\n  WHERE a.total > 100;',
});
/** TPC-H, as pg_stat_statements (PostgreSQL 15) stored the queries after running them with literals. */
const TPCH_TABLES: Record<string, string> = {
  region: 'r_regionkey r_name r_comment',
  nation: 'n_nationkey n_name n_regionkey n_comment',
  part: 'p_partkey p_name p_mfgr p_brand p_type p_size p_container p_retailprice p_comment',
  supplier: 's_suppkey s_name s_address s_nationkey s_phone s_acctbal s_comment',
  partsupp: 'ps_partkey ps_suppkey ps_availqty ps_supplycost ps_comment',
  customer: 'c_custkey c_name c_address c_nationkey c_phone c_acctbal c_mktsegment c_comment',
  orders: 'o_orderkey o_custkey o_orderstatus o_totalprice o_orderdate o_orderpriority o_clerk o_shippriority o_comment',
  lineitem:
    'l_orderkey l_partkey l_suppkey l_linenumber l_quantity l_extendedprice l_discount l_tax l_returnflag l_linestatus l_shipdate l_commitdate l_receiptdate l_shipinstruct l_shipmode l_comment',
};
function tpchCatalog(): CatalogRelation[] {
  const type = (c: string) => (/date$/.test(c) ? 'date' : /(quantity|price|discount|tax|acctbal|cost)$/.test(c) ? 'numeric(15,2)' : /key$|size|qty|priority$/.test(c) ? 'integer' : 'text');
  return Object.entries(TPCH_TABLES).map(([name, cols]) => {
    const r = rel('public', name, cols.split(' '));
    r.columns.forEach((c) => (c.type = type(c.name)));
    return r;
  });
}
const TPCH = {
  q1: 'select l_returnflag, l_linestatus, sum(l_quantity) as sum_qty, sum(l_extendedprice) as sum_base_price, sum(l_extendedprice * ($1 - l_discount)) as sum_disc_price, avg(l_discount) as avg_disc, count(*) as count_order from lineitem where l_shipdate <= date $2 - interval $3 day group by l_returnflag, l_linestatus order by l_returnflag, l_linestatus',
  q3: 'select l_orderkey, sum(l_extendedprice * ($1 - l_discount)) as revenue, o_orderdate, o_shippriority from customer, orders, lineitem where c_mktsegment = $2 and c_custkey = o_custkey and l_orderkey = o_orderkey and o_orderdate < date $3 and l_shipdate > date $4 group by l_orderkey, o_orderdate, o_shippriority order by revenue desc, o_orderdate limit $5',
  q4: 'select o_orderpriority, count(*) as order_count from orders where o_orderdate >= date $1 and o_orderdate < date $2 + interval $3 month and exists (select * from lineitem where l_orderkey = o_orderkey and l_commitdate < l_receiptdate) group by o_orderpriority order by o_orderpriority',
  q5: 'select n_name, sum(l_extendedprice * ($1 - l_discount)) as revenue from customer, orders, lineitem, supplier, nation, region where c_custkey = o_custkey and l_orderkey = o_orderkey and l_suppkey = s_suppkey and c_nationkey = s_nationkey and s_nationkey = n_nationkey and n_regionkey = r_regionkey and r_name = $2 and o_orderdate >= date $3 and o_orderdate < date $4 + interval $5 year group by n_name order by revenue desc',
  q6: 'select sum(l_extendedprice * l_discount) as revenue from lineitem where l_shipdate >= date $1 and l_shipdate < date $2 + interval $3 year and l_discount between $4 - $5 and $6 + $7 and l_quantity < $8',
  q10: 'select c_custkey, c_name, sum(l_extendedprice * ($1 - l_discount)) as revenue, c_acctbal, n_name, c_address, c_phone, c_comment from customer, orders, lineitem, nation where c_custkey = o_custkey and l_orderkey = o_orderkey and o_orderdate >= date $2 and o_orderdate < date $3 + interval $4 month and l_returnflag = $5 and c_nationkey = n_nationkey group by c_custkey, c_name, c_acctbal, c_phone, n_name, c_address, c_comment order by revenue desc limit $6',
  q12: 'select l_shipmode, sum(case when o_orderpriority = $1 or o_orderpriority = $2 then $3 else $4 end) as high_line_count, sum(case when o_orderpriority <> $5 and o_orderpriority <> $6 then $7 else $8 end) as low_line_count from orders, lineitem where o_orderkey = l_orderkey and l_shipmode in ($9, $10) and l_commitdate < l_receiptdate and l_shipdate < l_commitdate and l_receiptdate >= date $11 and l_receiptdate < date $12 + interval $13 year group by l_shipmode order by l_shipmode',
  q19: 'select sum(l_extendedprice* ($1 - l_discount)) as revenue from lineitem, part where ( p_partkey = l_partkey and p_brand = $2 and p_container in ($3, $4, $5, $6) and l_quantity >= $7 and l_quantity <= $8 + $9 and p_size between $10 and $11 and l_shipmode in ($12, $13) and l_shipinstruct = $14) or ( p_partkey = l_partkey and p_brand = $15 and p_container in ($16, $17, $18, $19) and l_quantity >= $20 and l_quantity <= $21 + $22 and p_size between $23 and $24 and l_shipmode in ($25, $26) and l_shipinstruct = $27)',
  q20: 'select s_name, s_address from supplier, nation where s_suppkey in (select ps_suppkey from partsupp where ps_partkey in (select p_partkey from part where p_name like $1) and ps_availqty > (select $2 * sum(l_quantity) from lineitem where l_partkey = ps_partkey and l_suppkey = ps_suppkey and l_shipdate >= date $3 and l_shipdate < date $4 + interval $5 year)) and s_nationkey = n_nationkey and n_name = $6 order by s_name',
};

const catalog = fakeCatalog([orders, customers, items, archive, appOrders, mixed, events, events2024, activeOrders, bigOrders]);

function resolve(q: string, cat: Catalog = catalog): ResolvedStatement {
  const p = parseStatement(q);
  if (!p.ok) throw new Error(`${p.reason}: ${p.message}`);
  return resolveStatement(p, cat);
}
function table(r: ResolvedStatement, name: string): ResolvedTable {
  const t = r.tables.find((x) => x.name === name);
  if (!t) throw new Error(`${name} not among ${r.tables.map((x) => x.name).join(', ')}`);
  return t;
}
const sorted = (cols: string[] | 'all') => (cols === 'all' ? cols : [...cols].sort());

describe('resolve: single-table access patterns', () => {
  it('equality, composite equality, equality + range', () => {
    expect(table(resolve('select * from orders where customer_id = $1'), 'orders')).toMatchObject({ equality: ['customer_id'], range: [], columnsRead: 'all' });
    expect(table(resolve('select id from orders where customer_id = $1 and status = $2'), 'orders').equality).toEqual(['customer_id', 'status']);
    const t = table(resolve('select id from orders where customer_id = $1 and created_at >= $2'), 'orders');
    expect([t.equality, t.range]).toEqual([['customer_id'], ['created_at']]);
  });

  it('equality + ORDER BY … DESC LIMIT; columns read', () => {
    const t = table(resolve('select id, total from orders where customer_id = $1 order by created_at desc limit $2'), 'orders');
    expect(t.orderBy).toEqual([{ column: 'created_at', direction: 'desc', nulls: 'first' }]);
    expect(t.limit).toBe(true);
    expect(sorted(t.columnsRead)).toEqual(['created_at', 'customer_id', 'id', 'total']);
  });

  it('IN / ANY, IS NULL, LIKE prefix, constant predicates', () => {
    const t = table(
      resolve(`select id from orders where id in ($1, $2) and customer_id = any($3) and deleted_at is null and note like 'abc%' and status like $4 and total > 0`),
      'orders',
    );
    expect(t).toMatchObject({ in: ['id', 'customer_id'], isNull: ['deleted_at'], range: ['total'] });
    expect(t.prefixLike).toEqual([{ column: 'note', certain: true }, { column: 'status', certain: false }]);
    expect(t.constantPredicates).toEqual([
      { column: 'deleted_at', sql: 'deleted_at IS NULL' },
      { column: 'note', sql: "note LIKE 'abc%'" },
      { column: 'total', sql: 'total > 0' },
    ]);
  });

  it('quoted mixed-case identifiers keep the catalog spelling, quoted in constant SQL', () => {
    const r = resolve('select "Id" from "Sales"."Orders" o where o."CustomerId" = $1 and "createdAt" is not null order by "createdAt"');
    expect(table(r, 'Orders')).toMatchObject({ schema: 'Sales', equality: ['CustomerId'], isNotNull: ['createdAt'], orderBy: [{ column: 'createdAt', direction: 'asc', nulls: 'last' }] });
    expect(table(r, 'Orders').constantPredicates).toEqual([{ column: 'createdAt', sql: '"createdAt" IS NOT NULL' }]);
  });

  it('schema-qualified and search_path lookups', () => {
    const cat = fakeCatalog([orders, appOrders], ['app', 'public']);
    expect(resolve('select * from orders where tenant_id = $1', cat).tables.map((t) => `${t.schema}.${t.name}`)).toEqual(['app.orders']);
    expect(table(resolve('select * from public.orders o where o.status = $1', cat), 'orders')).toMatchObject({ schema: 'public', equality: ['status'] });
    expect(table(resolve('select * from public.orders where public.orders.status = $1', cat), 'orders').equality).toEqual(['status']);
  });
});

describe('resolve: joins and scopes', () => {
  it('JOIN … ON, USING and implicit comma joins give join columns on both sides', () => {
    const on = resolve('select o.id from orders o join customers c on c.id = o.customer_id where c.region = $1');
    expect(table(on, 'orders').joinColumns).toEqual(['customer_id']);
    expect(table(on, 'customers')).toMatchObject({ joinColumns: ['id'], equality: ['region'] });
    const using = resolve('select * from orders join archive_orders using (customer_id) where status = $1 or region = $2');
    expect(using.notes).toEqual(['column status: ambiguous']);
    expect(table(using, 'archive_orders').joinColumns).toEqual(['customer_id']);
    // A condition on a USING column applies to both sides.
    const merged = resolve('select * from orders join archive_orders using (customer_id) where customer_id = $1');
    expect([table(merged, 'orders').equality, table(merged, 'archive_orders').equality]).toEqual([['customer_id'], ['customer_id']]);
    const comma = resolve('select * from orders, items where items.order_id = orders.id and items.sku = $1');
    expect([table(comma, 'orders').joinColumns, table(comma, 'items').joinColumns, table(comma, 'items').equality]).toEqual([['id'], ['order_id'], ['sku']]);
  });

  it('unqualified columns go to the one relation that has them; unknown ones are noted', () => {
    const r = resolve('select name, total from orders o, customers c where region = $1 and customer_id = c.id and nope = $2');
    expect(table(r, 'customers')).toMatchObject({ equality: ['region'], joinColumns: ['id'] });
    expect(table(r, 'orders').joinColumns).toEqual(['customer_id']);
    expect(r.notes).toEqual(['column nope: unknown']);
  });

  it('a CTE shadows the table of the same name; an inlined CTE carries outer conditions, a materialized one does not', () => {
    const r = resolve('with orders as (select * from archive_orders where region = $1) select id from orders where customer_id = $2');
    expect(r.tables.map((t) => t.name)).toEqual(['archive_orders']);
    expect(table(r, 'archive_orders')).toMatchObject({ accesses: [{ via: ['orders'] }] });
    expect(sorted(table(r, 'archive_orders').equality)).toEqual(['customer_id', 'region']);
    const m = resolve('with x as materialized (select * from archive_orders where region = $1) select id from x where customer_id = $2');
    expect(table(m, 'archive_orders').equality).toEqual(['region']);
  });

  it('recursive CTEs and functions in FROM: nothing loops, join keys still count', () => {
    const r = resolve('with recursive tree as (select id, customer_id from orders where id = $1 union all select o.id, o.customer_id from orders o join tree on o.customer_id = tree.id) select * from tree');
    expect(table(r, 'orders')).toMatchObject({ equality: ['id'], joinColumns: ['customer_id'] });
    expect(table(resolve('select * from generate_series($1, $2) g(n) join orders on orders.id = g.n'), 'orders').joinColumns).toEqual(['id']);
  });

  it('subquery in FROM: conditions on its plain output columns reach the table (not past a LIMIT)', () => {
    const r = resolve('select s.cid from (select id, customer_id as cid from orders where status = $1) s where s.cid = $2 order by s.cid');
    expect(table(r, 'orders')).toMatchObject({ orderBy: [{ column: 'customer_id' }] });
    expect(sorted(table(r, 'orders').equality)).toEqual(['customer_id', 'status']);
    expect(sorted(table(r, 'orders').columnsRead)).toEqual(['customer_id', 'status']); // `id` is never read outside
    const limited = resolve('select * from (select * from orders order by created_at limit 10) s where s.customer_id = $1');
    expect(table(limited, 'orders')).toMatchObject({ equality: [], orderBy: [{ column: 'created_at' }], limit: true });
  });

  it('EXISTS and IN subqueries: correlated columns are join columns', () => {
    const r = resolve('select * from customers c where exists (select 1 from orders o where o.customer_id = c.id and o.status = $1) and c.id in (select customer_id from archive_orders)');
    expect(table(r, 'orders')).toMatchObject({ joinColumns: ['customer_id'], equality: ['status'] });
    expect(table(r, 'customers')).toMatchObject({ joinColumns: ['id'], in: ['id'] });
    expect(table(r, 'archive_orders').columnsRead).toEqual(['customer_id']);
  });

  it('UNION: each branch on its own; a condition on a UNION subquery reaches every branch', () => {
    const r = resolve('select id from orders where customer_id = $1 union select id from archive_orders where status = $2');
    expect([table(r, 'orders').equality, table(r, 'archive_orders').equality]).toEqual([['customer_id'], ['status']]);
    const u = resolve('select * from (select id, customer_id from orders union all select id, customer_id from archive_orders) u where u.customer_id = $1');
    expect([table(u, 'orders').equality, table(u, 'archive_orders').equality]).toEqual([['customer_id'], ['customer_id']]);
  });

  it('views, two levels deep: outer conditions and the views own conditions land on the base table', () => {
    const r = resolve('select id from big_orders where customer = $1 order by created_at desc limit 20');
    expect(r.tables.map((t) => t.name)).toEqual(['orders']);
    expect(table(r, 'orders')).toMatchObject({
      equality: ['customer_id'], range: ['total'], isNull: ['deleted_at'], limit: true,
      orderBy: [{ column: 'created_at', direction: 'desc', nulls: 'first' }],
      accesses: [{ via: ['public.big_orders', 'public.active_orders'] }],
    });
    expect(table(r, 'orders').constantPredicates.map((c) => c.sql).sort()).toEqual(['deleted_at IS NULL', 'total > 100']);
    expect(sorted(table(r, 'orders').columnsRead)).toEqual(['created_at', 'customer_id', 'deleted_at', 'id', 'total']);
  });

  it('a partitioned parent stays the parent; a partition named directly says whose it is', () => {
    expect(table(resolve('select * from events where account_id = $1'), 'events')).toMatchObject({ kind: 'partitioned', equality: ['account_id'] });
    expect(table(resolve('select * from events_2024 where account_id = $1'), 'events_2024')).toMatchObject({ partitionOf: events.oid });
  });

  it('UPDATE and DELETE with WHERE: the target table, FROM / USING, columns written', () => {
    const u = resolve('update orders o set status = $1, note = $2 from customers c where c.id = o.customer_id and c.region = $3 and o.created_at < $4');
    expect(table(u, 'orders')).toMatchObject({ range: ['created_at'], joinColumns: ['customer_id'], columnsWritten: ['status', 'note'] });
    expect(table(u, 'customers').equality).toEqual(['region']);
    const d = resolve('delete from orders where deleted_at < now() - interval $1');
    expect(d).toMatchObject({ kind: 'delete', tables: [{ name: 'orders', range: ['deleted_at'] }] });
  });

  it('parameter types for PREPARE: casts first, then the compared column', () => {
    const r = resolve('select * from orders where customer_id = $1 and created_at > $2::date and total between $3 - $4 and $5 and id = any($6)');
    expect(Object.fromEntries(r.paramTypes)).toEqual({ 1: 'integer', 2: 'date', 3: 'integer', 4: 'integer', 5: 'integer', 6: 'integer[]' });
  });
});

describe('resolve: TPC-H in pg_stat_statements form', () => {
  const tpch = fakeCatalog(tpchCatalog());
  const run = (q: string) => resolve(q, tpch);

  it('Q1: a range on l_shipdate', () => {
    const t = table(run(TPCH.q1), 'lineitem');
    expect(t).toMatchObject({ range: ['l_shipdate'], equality: [], groupBy: ['l_returnflag', 'l_linestatus'] });
    expect(t.orderBy).toEqual([{ column: 'l_returnflag', direction: 'asc', nulls: 'last' }, { column: 'l_linestatus', direction: 'asc', nulls: 'last' }]);
  });

  it('Q3: join keys and ranges on three tables', () => {
    const r = run(TPCH.q3);
    expect(table(r, 'customer')).toMatchObject({ equality: ['c_mktsegment'], joinColumns: ['c_custkey'] });
    expect(table(r, 'orders')).toMatchObject({ range: ['o_orderdate'], joinColumns: ['o_custkey', 'o_orderkey'] });
    expect(table(r, 'lineitem')).toMatchObject({ range: ['l_shipdate'], joinColumns: ['l_orderkey'] });
  });

  it('Q4: a correlated EXISTS', () => {
    const r = run(TPCH.q4);
    expect(table(r, 'orders')).toMatchObject({ range: ['o_orderdate'], joinColumns: ['o_orderkey'] });
    expect(table(r, 'lineitem').joinColumns).toEqual(['l_orderkey']);
  });

  it('Q5: a six-table join', () => {
    const r = run(TPCH.q5);
    expect(table(r, 'region')).toMatchObject({ equality: ['r_name'], joinColumns: ['r_regionkey'] });
    expect(table(r, 'supplier').joinColumns).toEqual(['s_suppkey', 's_nationkey']);
    expect(table(r, 'nation').joinColumns).toEqual(['n_nationkey', 'n_regionkey']);
  });

  it('Q6: ranges on l_shipdate, l_discount and l_quantity; parameter types for PREPARE', () => {
    const r = run(TPCH.q6);
    expect(table(r, 'lineitem').range).toEqual(['l_shipdate', 'l_discount', 'l_quantity']);
    expect(Object.fromEntries(r.paramTypes)).toMatchObject({ 1: 'date', 2: 'date', 3: 'interval', 4: 'numeric(15,2)', 8: 'numeric(15,2)' });
  });

  it('Q10 and Q12: equality on a flag, IN on ship modes', () => {
    expect(table(run(TPCH.q10), 'lineitem')).toMatchObject({ equality: ['l_returnflag'], joinColumns: ['l_orderkey'] });
    expect(table(run(TPCH.q12), 'lineitem')).toMatchObject({ in: ['l_shipmode'], range: ['l_receiptdate'] });
  });

  it('Q19: the join every OR branch repeats is a join (the planner factors it out); the rest narrows no single scan', () => {
    const r = run(TPCH.q19);
    expect(table(r, 'lineitem')).toMatchObject({ equality: [], in: [], range: [], joinColumns: ['l_partkey'] });
    expect(table(r, 'part')).toMatchObject({ equality: [], in: [], range: [], joinColumns: ['p_partkey'] });
    expect(sorted(table(r, 'part').columnsRead)).toEqual(['p_brand', 'p_container', 'p_partkey', 'p_size']);
    // Compared with a value in both branches: a BitmapOr of one index's scans can serve them.
    expect(sorted(table(r, 'part').orColumns ?? [])).toEqual(['p_brand', 'p_container', 'p_size']);
    expect(sorted(table(r, 'lineitem').orColumns ?? [])).toEqual(['l_quantity', 'l_shipinstruct', 'l_shipmode']);
  });

  it('Q19: parameters inside the OR branches are placed on their columns, branch by branch', () => {
    const r = run(TPCH.q19);
    const use = (n: number) => r.paramUses.filter((u) => u.param === n).map((u) => ({ column: u.column, kind: u.kind, op: u.op, group: u.group }));
    expect(use(2)).toEqual([{ column: 'p_brand', kind: 'equality', op: undefined, group: [2] }]);
    expect(use(15)).toEqual([{ column: 'p_brand', kind: 'equality', op: undefined, group: [15] }]);
    expect(use(17)).toEqual([{ column: 'p_container', kind: 'in', op: undefined, group: [16, 17, 18, 19] }]);
    expect(use(21)).toEqual([{ column: 'l_quantity', kind: 'range', op: '<=', group: [21, 22] }]);
    expect(use(23)).toEqual([{ column: 'p_size', kind: 'range', op: 'between', group: [23, 24] }]);
    expect(use(1)).toEqual([]); // in the select list: compared with no column
  });

  it('an OR whose branches share nothing keeps every condition out of the index facts, but places its parameters', () => {
    const r = resolve('select * from orders where status = $1 or (customer_id = $2 and total > $3)');
    expect(table(r, 'orders')).toMatchObject({ equality: [], range: [], orColumns: [] });
    expect(r.paramUses.map((u) => [u.param, u.column, u.kind])).toEqual([[1, 'status', 'equality'], [2, 'customer_id', 'equality'], [3, 'total', 'range']]);
  });

  it('an OR with a branch made only of the shared conditions reduces to them (A or (A and B) is A)', () => {
    const r = resolve('select * from orders where customer_id = $1 or (customer_id = $1 and status = $2)');
    expect(table(r, 'orders')).toMatchObject({ equality: ['customer_id'], orColumns: [] });
    expect(r.paramUses.map((u) => u.param)).toEqual([1]);
  });

  it('Q20: nested IN subqueries and a correlated scalar subquery', () => {
    const r = run(TPCH.q20);
    expect(table(r, 'part')).toMatchObject({ prefixLike: [{ column: 'p_name', certain: false }] });
    expect(table(r, 'partsupp')).toMatchObject({ in: ['ps_partkey'], joinColumns: ['ps_partkey', 'ps_suppkey'] });
    expect(table(r, 'lineitem')).toMatchObject({ joinColumns: ['l_partkey', 'l_suppkey'], range: ['l_shipdate'] });
    expect(table(r, 'supplier')).toMatchObject({ in: ['s_suppkey'], joinColumns: ['s_nationkey'] });
  });

  it('is fast: 200 statements parsed and resolved', () => {
    const texts = Object.values(TPCH);
    const resolver = new StatementResolver(fakeCatalog([...tpchCatalog(), orders, customers, items, archive, activeOrders, bigOrders]));
    const all = [...texts, 'select id from big_orders where customer = $1 order by created_at desc limit 20'];
    const started = process.hrtime.bigint();
    for (let i = 0; i < 200; i++) {
      const p = parseStatement(all[i % all.length]);
      if (p.ok) resolver.resolve(p);
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(`parse+resolve of 200 statements: ${ms.toFixed(1)} ms\n`);
    expect(ms).toBeLessThan(2000);
  });
});
