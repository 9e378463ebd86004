/**
 * The index advisor on real workloads whose right answer is known, one table per query shape:
 * typed literals, equality, two equality columns, equality + range, equality + ORDER BY … DESC
 * LIMIT, a join on an unindexed foreign key, a view, a CTE, quoted mixed-case names, and
 * UPDATE/DELETE … WHERE (which the read-only pgsteward role may plan but not run). Then every
 * recommended statement is run for real and the planner must use what it creates.
 */
import { Client } from 'pg';
import type { AdviseReport, IndexRecommendation } from '../../lib/report/types';
import { adviseCli, resetTableStats, AdviseRun, applyRecommendation, createdIndexNames, keysOf, planOf, recsFor, splitStatements, statementTexts } from '../support/advise-cases';
import { useTestDatabase } from '../support/db';

const t = useTestDatabase();
let app: Client;
let run: AdviseRun;
let report: AdviseReport;

/** Per table: literal statements of the workload's shape, for EXPLAIN once the indexes exist. */
const LITERAL: Record<string, string[]> = {
  'public.sh_bookings': [
    `select * from sh_bookings where day = date '2022-07-01'`,
    `select id, note from sh_bookings where starts_at >= timestamptz '2021-02-01 00:00+00' and starts_at < timestamptz '2021-02-01 00:00+00' + interval '2 days'`,
  ],
  'public.sh_users': [`select * from sh_users where email = 'user77@example.com'`],
  'public.sh_tickets': [`select * from sh_tickets where tenant_id = 7 and status_code = 11`],
  'public.sh_readings': [`select * from sh_readings where sensor_id = 17 and taken_at >= timestamptz '2023-05-01' and taken_at < timestamptz '2023-05-08'`],
  'public.sh_posts': [`select * from sh_posts where author_id = 42 order by created_at desc limit 10`],
  'public.sh_order_items': [`select o.placed_at, i.sku, i.qty from sh_orders o join sh_order_items i on i.order_id = o.id where o.id = 4242`],
  // Not a right answer (see the failing test below), but if recommended it must still run and be used.
  'public.sh_orders': [`select o.placed_at, i.sku, i.qty from sh_orders o join sh_order_items i on i.order_id = o.id where o.id = 4242`],
  'public.sh_accounts': [`select id, region from sh_active_accounts where handle = 'h4242'`],
  'public.sh_shipments': [`with s as (select id, carrier from sh_shipments where tracking = 'TRK4242') select carrier, count(*) from s group by carrier`],
  'public.Customers': [`select * from "Customers" where "Email" = 'c4242@example.com'`],
  'public.sh_sessions': [`update sh_sessions set last_seen = now() where token = 'tok4242'`],
  'public.sh_jobs': [`delete from sh_jobs where job_key = 'job4242'`],
};

beforeAll(async () => {
  const a = t.admin;
  await a.query(`select setseed(0.42)`);
  await a.query(`
    create table sh_bookings (id serial primary key, day date not null, starts_at timestamptz not null, note text);
    insert into sh_bookings (day, starts_at, note) select date '2022-01-01' + (g % 1000), timestamptz '2020-01-01 00:00+00' + g * interval '10 minutes', 'n' || g from generate_series(1, 100000) g;
    create table sh_users (id serial primary key, email text not null, name text not null);
    insert into sh_users (email, name) select 'user' || g || '@example.com', 'name ' || g from generate_series(1, 100000) g;
    create table sh_tickets (id serial primary key, tenant_id int not null, status_code int not null, body text not null);
    insert into sh_tickets (tenant_id, status_code, body) select g % 50, (g / 50) % 40, repeat('x', 60) from generate_series(1, 200000) g;
    create table sh_readings (id serial primary key, sensor_id int not null, taken_at timestamptz not null, value float8 not null);
    insert into sh_readings (sensor_id, taken_at, value) select g % 200, timestamptz '2023-01-01' + random() * interval '365 days', random() from generate_series(1, 200000) g;
    create table sh_posts (id serial primary key, author_id int not null, created_at timestamptz not null, title text not null);
    insert into sh_posts (author_id, created_at, title) select g % 200, timestamptz '2023-01-01' + random() * interval '365 days', 'post ' || g from generate_series(1, 200000) g;
    create table sh_orders (id serial primary key, customer_ref int not null, placed_at timestamptz not null);
    insert into sh_orders (customer_ref, placed_at) select g % 5000, timestamptz '2023-01-01' + g * interval '1 minute' from generate_series(1, 50000) g;
    create table sh_order_items (id serial primary key, order_id int not null references sh_orders (id), sku text not null, qty int not null);
    insert into sh_order_items (order_id, sku, qty) select 1 + g % 50000, 'sku' || (g % 997), 1 + g % 5 from generate_series(1, 200000) g;
    create table sh_accounts (id serial primary key, handle text not null, region text not null, active boolean not null);
    insert into sh_accounts (handle, region, active) select 'h' || g, (array['eu','us','ap'])[1 + g % 3], g % 2 = 0 from generate_series(1, 100000) g;
    create view sh_active_accounts as select id, handle, region from sh_accounts where active;
    create table sh_shipments (id serial primary key, tracking text not null, carrier text not null);
    insert into sh_shipments (tracking, carrier) select 'TRK' || g, 'carrier' || (g % 5) from generate_series(1, 100000) g;
    create table "Customers" (id serial primary key, "Email" text not null, "FullName" text not null);
    insert into "Customers" ("Email", "FullName") select 'c' || g || '@example.com', 'Customer ' || g from generate_series(1, 100000) g;
    create table sh_sessions (id serial primary key, token text not null, user_id int not null, last_seen timestamptz not null default now());
    insert into sh_sessions (token, user_id) select 'tok' || g, g % 1000 from generate_series(1, 100000) g;
    create table sh_jobs (id serial primary key, job_key text not null, payload text not null);
    insert into sh_jobs (job_key, payload) select 'job' || g, 'p' || g from generate_series(1, 100000) g;`);
  await a.query(`vacuum analyze`);
  t.applyRoleScript();
  // The bulk load is not the workload: table write counters start after it.
  await resetTableStats(a);

  app = await t.session();
  for (let i = 0; i < 5; i++) {
    // Typed literals: pg_stat_statements keeps `date $1`, `timestamptz $2 + interval $3`.
    await app.query(`select * from sh_bookings where day = date '2022-06-0${i + 1}'`);
    await app.query(`select id, note from sh_bookings where starts_at >= timestamptz '2021-01-0${i + 1} 00:00+00' and starts_at < timestamptz '2021-01-0${i + 1} 00:00+00' + interval '${i + 1} days'`);
    await app.query(`select * from sh_users where email = $1`, [`user${i * 7}@example.com`]);
    await app.query(`select * from sh_tickets where tenant_id = $1 and status_code = $2`, [i, i + 3]);
    await app.query(`select * from sh_readings where sensor_id = $1 and taken_at >= $2 and taken_at < $3`, [i, `2023-0${i + 2}-01`, `2023-0${i + 2}-08`]);
    await app.query(`select * from sh_posts where author_id = $1 order by created_at desc limit 10`, [i]);
    await app.query(`select o.placed_at, i.sku, i.qty from sh_orders o join sh_order_items i on i.order_id = o.id where o.id = $1`, [100 + i]);
    await app.query(`select id, region from sh_active_accounts where handle = $1`, [`h${i * 2}`]);
    await app.query(`with s as (select id, carrier from sh_shipments where tracking = $1) select carrier, count(*) from s group by carrier`, [`TRK${i}`]);
    await app.query(`select * from "Customers" where "Email" = $1`, [`c${i}@example.com`]);
    await app.query(`update sh_sessions set last_seen = now() where token = $1`, [`tok${i}`]);
    await app.query(`delete from sh_jobs where job_key = $1`, [`job${i}`]);
  }
  run = await adviseCli(t);
  report = run.report;
  if (process.env.PGSTEWARD_TEST_VERBOSE) process.stderr.write(`advise ${run.ms} ms: ${report.recommendations.map((r) => r.statement).join('\n')}\n`);
}, 180_000);

/** The one recommendation on `table` whose key columns start with `lead`. */
function recommended(table: string, lead: string): IndexRecommendation {
  const found = recsFor(report, table).filter((r) => r.columns[0] === lead);
  if (found.length !== 1) {
    const why = report.skipped.filter((s) => s.query.includes(table.split('.')[1].replace(/"/g, ''))).map((s) => `${s.reason}: ${s.detail ?? ''}`);
    throw new Error(`expected one recommendation on ${table} leading with ${lead}; got [${keysOf(report).join(' ')}]; skipped for it: ${JSON.stringify(why)}`);
  }
  return found[0];
}

describe('advise on one query shape per table (PostgreSQL 15, HypoPG)', () => {
  it('exits 0 with a report, no errors, and every recommendation proven and runnable as written', () => {
    expect(run.code).toBe(0);
    expect(report.errors).toEqual([]);
    for (const r of report.recommendations) {
      expect(r.benefit).toBeGreaterThan(0);
      expect(r.statements.length).toBeGreaterThan(0);
      // Dexter's rule: some statement's cost at least halves.
      expect(Math.min(...r.statements.map((s) => s.costAfter / s.costBefore))).toBeLessThanOrEqual(0.5);
      expect(splitStatements(r.statement).every((s) => /^CREATE INDEX CONCURRENTLY IF NOT EXISTS "[^"]+" ON "public"\."[^"]+" \(/.test(s))).toBe(true);
    }
  });

  it('typed literals: date $1, timestamptz $2 + interval $3 are planned and indexed', async () => {
    const texts = await statementTexts(t.admin, '%from sh_bookings where%');
    expect(texts).toContain('select * from sh_bookings where day = date $1');
    expect(texts.some((q) => /starts_at >= timestamptz \$1 and starts_at < timestamptz \$2 \+ interval \$3/.test(q))).toBe(true);
    expect(recommended('public.sh_bookings', 'day').columns).toEqual(['day']);
    recommended('public.sh_bookings', 'starts_at');
    expect(report.skipped.filter((s) => /^select .*sh_bookings/.test(s.query))).toEqual([]);
  });

  it('equality: one column', () => {
    expect(recommended('public.sh_users', 'email').columns).toEqual(['email']);
  });

  it('two equality columns: the index has both', () => {
    const r = recsFor(report, 'public.sh_tickets');
    expect(r.map((x) => [...x.columns].sort())).toEqual([['status_code', 'tenant_id']]);
  });

  it('equality plus range: the equality column first, then the range column', () => {
    expect(recommended('public.sh_readings', 'sensor_id').columns).toEqual(['sensor_id', 'taken_at']);
  });

  // Was a product bug, fixed: pg_stat_statements stores `limit 10` as `limit $2`, and lib/advisor/values.ts
  // (permissive(): UNTYPED_VALUE = '1000000') plans that parameter as LIMIT 1000000, "as good as
  // absent". Without the LIMIT, (author_id) + a sort of ~1000 rows is cheaper than reading them
  // all through (author_id, created_at), so the ordered index is never recommended for
  // `… ORDER BY … LIMIT $n`, the case it exists for (cost 30 instead of 1447 with LIMIT 10).
  it('equality plus ORDER BY … DESC LIMIT: the index supplies the order', () => {
    const r = recommended('public.sh_posts', 'author_id');
    expect(r.columns).toEqual(['author_id', 'created_at']);
    // (author_id, created_at) serves DESC read backwards; (author_id, created_at DESC) forwards.
    expect(r.directions === undefined || r.directions[0] === 'asc').toBe(true);
  });

  it('join on an unindexed foreign key: order_items.order_id', () => {
    recommended('public.sh_order_items', 'order_id');
  });

  // PRODUCT BUG: (id) INCLUDE (placed_at) on sh_orders, a near-copy of its primary key, is
  // recommended for an index-only scan worth ~4 cost units per call (27.7 → 23.5 once the
  // order_items index exists). Dexter's rule is applied to the statement's cost under the WHOLE
  // configuration (lib/advisor/select.ts compare(): `after.cost <= threshold * base`, and
  // marginal(): `now.cost <= threshold * base`), so an index qualifies on the saving another
  // index makes; with no writes on sh_orders any gain > 0 then keeps it. It should be judged on
  // its own contribution (`after.cost <= threshold * before.cost`, before = without it).
  it('join on a foreign key: nothing on the referenced table, whose primary key serves o.id = $1', () => {
    expect(recsFor(report, 'public.sh_orders')).toEqual([]);
  });

  it('a view is looked through to its table', () => {
    recommended('public.sh_accounts', 'handle');
  });

  it('a CTE is looked through to its table', () => {
    recommended('public.sh_shipments', 'tracking');
  });

  it('quoted mixed-case identifiers: "Customers"."Email", quoted as such in the statement', () => {
    const r = recommended('public.Customers', 'Email');
    expect(r.columns).toEqual(['Email']);
    expect(r.statement).toMatch(/ON "public"\."Customers" \("Email"\)/);
  });

  it('UPDATE … WHERE and DELETE … WHERE on an unindexed column, advised by a role that may not run them', async () => {
    const { rows } = await t.admin.query(`select has_table_privilege('pgsteward', 'sh_sessions', 'UPDATE') as upd, has_table_privilege('pgsteward', 'sh_jobs', 'DELETE') as del`);
    expect(rows[0]).toEqual({ upd: false, del: false });
    expect(recommended('public.sh_sessions', 'token').columns).toEqual(['token']);
    expect(recommended('public.sh_jobs', 'job_key').columns).toEqual(['job_key']);
  });

  it('every recommended statement runs as written, and the planner then uses its index', async () => {
    expect(report.recommendations.length).toBeGreaterThan(0);
    for (const r of report.recommendations) await applyRecommendation(t.admin, r.statement);
    await t.admin.query('analyze');
    const unused: string[] = [];
    for (const r of report.recommendations) {
      const literals = LITERAL[r.table];
      if (!literals) throw new Error(`unexpected recommendation on ${r.table}: ${r.statement}`);
      const names = createdIndexNames(r.statement);
      const { rows } = await t.admin.query(`select count(*)::int as n from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = any($1) and i.indisvalid`, [names]);
      expect(rows[0].n).toBe(names.length);
      const plans = await Promise.all(literals.map((q) => planOf(t.admin, q)));
      if (!plans.some((p) => p.indexes.some((n) => names.includes(n)))) unused.push(`${r.table}(${r.columns.join(',')}) ${names.join(',')}: ${plans.map((p) => p.indexes.join(',') || p.nodeTypes.join('>')).join(' | ')}`);
    }
    expect(unused).toEqual([]);
  });
});
