/**
 * Reports from REAL runs, for the renderers' tests: each builder plants data in a test database,
 * runs the CLI exactly as a user would (`--json`), and returns the report it printed. Nothing
 * here is hand-written JSON, so a renderer is always tested against what the runners produce.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdviseReport, HealthReport, PartitionsReport } from '../../lib/report/types';
import { cli } from './cli';
import type { TestDatabase } from './db';

/** A sequence 98% used (critical) beside checks that pass, in a health report. */
export async function healthFixture(t: TestDatabase): Promise<HealthReport> {
  await t.admin.query(`create table invoices (id serial primary key, total numeric)`);
  await t.admin.query(`select setval('invoices_id_seq', 2100000000)`);
  t.applyRoleScript();
  const r = await cli('health', '--database-url', t.stewardUrl, '--json');
  return r.json<HealthReport>();
}

/** The advise CLI on an OLTP workload whose missing indexes are known (as test/integration/advise.test.ts). */
export async function adviseFixture(t: TestDatabase): Promise<AdviseReport> {
  await t.admin.query(`create table customers (id serial primary key, email text not null, country text not null)`);
  await t.admin.query(`create table orders (id bigserial primary key, customer_id int not null, status text not null, total numeric not null, created_at timestamptz not null)`);
  await t.admin.query(`insert into customers (email, country) select 'user' || g || '@example.com', (array['fr','de','us','uk'])[1 + g % 4] from generate_series(1, 20000) g`);
  await t.admin.query(`insert into orders (customer_id, status, total, created_at)
    select 1 + g % 20000, case when g % 50 = 0 then 'pending' else 'shipped' end, g % 300, now() - (g || ' minutes')::interval from generate_series(1, 200000) g`);
  await t.admin.query('vacuum analyze customers, orders');
  t.applyRoleScript();
  await t.admin.query('select pg_stat_force_next_flush()');
  await t.admin.query('select pg_stat_reset()');
  const app = await t.session();
  for (let i = 0; i < 5; i++) {
    await app.query('select * from orders where customer_id = $1 order by created_at desc limit 10', [100 + i]);
    // A statement whose text holds < and & (the renderer must escape it).
    await app.query(`select id, total from orders where status = $1 and total < $2 and (customer_id & 1) = 0`, ['pending', 100]);
    await app.query('select * from customers where email = $1', [`user${i}@example.com`]);
  }
  const r = await cli('advise', '--database-url', t.stewardUrl, '--json', '--storage-budget', '50MB');
  return r.json<AdviseReport>();
}

/**
 * Two partitioned tables, maintained for real: `events` by day with hand-made partitions from ten
 * days back (retention 5 days retires the oldest) and `jobs` by id (retention 1500 ids).
 */
export async function partitionsFixture(t: TestDatabase, dir: string): Promise<PartitionsReport> {
  await t.admin.query(`create table events (at timestamptz not null, kind text) partition by range (at)`);
  for (let d = 10; d >= 1; d--) {
    await t.admin.query(`do $$ declare lo timestamptz := date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' - interval '${d} days';
      begin execute format('create table events_old_${d} partition of events for values from (%L) to (%L)', lo, lo + interval '1 day'); end $$`);
  }
  await t.admin.query(`create table jobs (id bigint not null, payload text) partition by range (id)`);
  for (const lo of [0, 1000, 2000]) await t.admin.query(`create table jobs_p${lo} partition of jobs for values from (${lo}) to (${lo + 1000})`);
  await t.admin.query(`insert into jobs select g, 'x' from generate_series(1, 2500) g`);
  const config = join(dir, 'partitions.json');
  writeFileSync(config, JSON.stringify({ targets: [{ id: 'app', connection: { url: t.url }, partitions: [
    { table: 'events', column: 'at', interval: '1 day', premake: 3, retention: '5 days' },
    { table: 'jobs', column: 'id', interval: 1000, premake: 2, retention: 1500 },
  ] }] }));
  const r = await cli('partitions', '-c', config, '--json');
  return r.json<PartitionsReport>();
}
