/**
 * End to end for each kind of grid: hourly, weekly, monthly in a non-UTC zone, and integer ids.
 * Each run leaves the current partition and premake more; a second run changes nothing; a row
 * for now (or the next id) lands in a real partition, not the DEFAULT one. The maintainer runs
 * as the restricted role, a member of the tables' owner (test/support/owner.ts).
 */
import { Db, fromUrl } from '../../lib/pg';
import { maintainTable } from '../../lib/partitions/maintain';
import { parsePolicy } from '../../lib/partitions/policy';
import { useTestDatabase } from '../support/db';
import { expectRestricted, useOwnerRole } from '../support/owner';

const t = useTestDatabase();
const owner = useOwnerRole(t);
let db: Db;

beforeAll(async () => {
  db = await Db.connect(fromUrl(t.stewardUrl), { statementTimeoutMs: 30_000, lockTimeoutMs: 2_000, connectTimeoutMs: 5_000 });
  await expectRestricted(db);
});
afterAll(async () => db?.close());

async function partitionsOf(table: string): Promise<{ name: string; bound: string }[]> {
  const { rows } = await t.admin.query(
    `select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = $1::regclass order by 1`, [table]);
  return rows;
}

it.each([
  ['hourly', `create table ev_hour (at timestamptz not null) partition by range (at)`, { table: 'ev_hour', column: 'at', interval: '1 hour', premake: 3 }, 4],
  ['weekly', `create table ev_week (at timestamptz not null) partition by range (at)`, { table: 'ev_week', column: 'at', interval: '1 week', premake: 2 }, 3],
  ['monthly in Europe/Paris', `create table ev_month (at timestamptz not null) partition by range (at)`, { table: 'ev_month', column: 'at', interval: '1 month', premake: 2, timezone: 'Europe/Paris' }, 3],
  ['daily on a date key', `create table ev_date (d date not null) partition by range (d)`, { table: 'ev_date', column: 'd', interval: '1 day', premake: 2 }, 3],
])('%s: current + premake partitions, idempotent, and a row for now lands in one', async (_name, ddl, policyInput, expected) => {
  await t.admin.query(ddl);
  await t.admin.query(`create table ${policyInput.table}_default partition of ${policyInput.table} default`);
  await owner.adopt();
  const policy = parsePolicy(policyInput);
  const first = await maintainTable(db, policy);
  expect(first.table.status).toBe('ok');
  const parts = (await partitionsOf(policyInput.table)).filter((p) => p.bound !== 'DEFAULT');
  expect(parts).toHaveLength(expected);
  const second = await maintainTable(db, policy);
  expect(second.actions).toEqual([]);
  const key = policyInput.column;
  await t.admin.query(`insert into ${policyInput.table} (${key}) values (now())`);
  const { rows } = await t.admin.query(`select tableoid::regclass::text as part from ${policyInput.table}`);
  expect(rows[0].part).not.toMatch(/_default$/);
  if ((policyInput as { timezone?: string }).timezone === 'Europe/Paris') {
    // Monthly bounds are local midnights on the 1st (shown here in Paris time: +01 or +02).
    const paris = await t.session();
    await paris.query(`set timezone to 'Europe/Paris'`);
    const { rows: local } = await paris.query(`select pg_get_expr(c.relpartbound, c.oid) as bound from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = $1::regclass and c.relname not like '%default'`, [policyInput.table]);
    for (const p of local) expect(p.bound).toMatch(/FROM \('\d{4}-\d{2}-01 00:00:00\+0[12]'\) TO \('\d{4}-\d{2}-01 00:00:00\+0[12]'\)/);
  }
});

it('integer ids: the partition holding the max id and premake after it, named by start id', async () => {
  await t.admin.query(`create table items (id bigint not null, name text) partition by range (id)`);
  await t.admin.query(`create table items_p0 partition of items for values from (0) to (1000)`);
  await t.admin.query(`insert into items select g, 'x' from generate_series(1, 950) g`);
  await owner.adopt();
  const policy = parsePolicy({ table: 'items', column: 'id', interval: 1000, premake: 2 });
  const out = await maintainTable(db, policy);
  expect(out.table.status).toBe('ok');
  expect((await partitionsOf('items')).map((p) => p.name)).toEqual(['items_p0', 'items_p1000', 'items_p2000']);
  expect((await maintainTable(db, policy)).actions).toEqual([]);
});
