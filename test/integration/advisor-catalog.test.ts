/**
 * Advisor catalog and existing indexes, read as the restricted role: views, partitioned tables
 * and their partitions, quoted mixed-case names, search_path lookups (ours and another role's),
 * and every kind of index the advisor must recognise.
 */
import { randomBytes } from 'node:crypto';
import { Db, fromUrl } from '../../lib/pg';
import { loadCatalog, LoadedCatalog, parseSearchPath } from '../../lib/advisor/catalog';
import { ExistingIndex, existingIndexesSql, loadExistingIndexes } from '../../lib/advisor/existing-indexes-load';
import { useTestDatabase } from '../support/db';
import { waitFor } from '../support/health';

const t = useTestDatabase();

async function withDb<T>(url: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await Db.connect(fromUrl(url), { statementTimeoutMs: 10_000, lockTimeoutMs: 1_000, connectTimeoutMs: 5_000 });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  await t.admin.query(`
    create schema app;
    create table app."Orders" ("Id" int primary key, "customerId" int not null, placed timestamptz not null, amount numeric(10,2), note text);
    insert into app."Orders" select g, g % 100, now() + g * interval '1 minute', g, case when g % 10 = 0 then 'n' end from generate_series(1, 2000) g;
    create view app.open_orders as select "Id", "customerId" from app."Orders" where note is null;
    create materialized view app.order_totals as select "customerId", sum(amount) as total from app."Orders" group by 1;
    create table public.open_orders (id int);
    create table events (id int, at date not null) partition by range (at);
    create table events_2024 partition of events for values from ('2024-01-01') to ('2025-01-01');
    create table events_2025 (id int, at date not null);
    alter table events attach partition events_2025 for values from ('2025-01-01') to ('2026-01-01');
    analyze app."Orders";
  `);
  t.applyRoleScript();
});

describe('advisor catalog', () => {
  let cat: LoadedCatalog;
  beforeAll(async () => {
    cat = await withDb(t.stewardUrl, loadCatalog);
  });

  it('loads tables with their columns and planner statistics, keeping quoted mixed-case names exact', () => {
    const orders = cat.lookup('app', 'Orders')!;
    expect(orders).toMatchObject({ kind: 'table', schema: 'app', name: 'Orders', reltuples: 2000 });
    expect(orders.relpages).toBeGreaterThan(0);
    expect(orders.columns).toEqual([
      { name: 'Id', type: 'integer', notNull: true, attnum: 1 },
      { name: 'customerId', type: 'integer', notNull: true, attnum: 2 },
      { name: 'placed', type: 'timestamp with time zone', notNull: true, attnum: 3 },
      { name: 'amount', type: 'numeric(10,2)', notNull: false, attnum: 4 },
      { name: 'note', type: 'text', notNull: false, attnum: 5 },
    ]);
    expect(cat.lookup('app', 'orders')).toBeUndefined();
    expect(cat.byOid(orders.oid)).toBe(orders);
  });

  it('loads views and materialized views with their definitions', () => {
    const view = cat.lookup('app', 'open_orders')!;
    expect(view.kind).toBe('view');
    expect(view.viewDefinition).toContain('FROM app."Orders"');
    expect(view.viewDefinition).toContain('note IS NULL');
    expect(cat.lookup('app', 'order_totals')).toMatchObject({ kind: 'matview', viewDefinition: expect.stringContaining('sum(') });
  });

  it('links partitions to their partitioned parent (created with PARTITION OF or attached)', () => {
    const parent = cat.lookup('public', 'events')!;
    expect(parent.kind).toBe('partitioned');
    expect(parent.parentOid).toBeUndefined();
    for (const name of ['events_2024', 'events_2025']) expect(cat.lookup('public', name)).toMatchObject({ kind: 'table', parentOid: parent.oid });
  });

  it('leaves out catalog relations', () => {
    expect(cat.relations.some((r) => r.schema === 'pg_catalog' || r.schema === 'information_schema' || r.schema.startsWith('pg_toast'))).toBe(false);
    expect(cat.lookup(undefined, 'pg_class')).toBeUndefined();
  });

  it('resolves unqualified names through the connection search_path, or a given one', () => {
    // pgsteward's search_path is "$user", public and it has no schema of its own.
    expect(cat.searchPath).toEqual(['public']);
    expect(cat.lookup(undefined, 'open_orders')).toMatchObject({ schema: 'public', kind: 'table' });
    expect(cat.lookup(undefined, 'Orders')).toBeUndefined();
    const app = cat.withSearchPath(['app', 'public']);
    expect(app.lookup(undefined, 'open_orders')).toMatchObject({ schema: 'app', kind: 'view' });
    expect(app.lookup(undefined, 'Orders')).toMatchObject({ schema: 'app' });
    expect(app.lookup(undefined, 'events')).toMatchObject({ schema: 'public' });
    // A role with no settings of its own gets the server default.
    expect(cat.searchPathFor('alice')).toEqual(['alice', 'public']);
  });

  it("rebuilds another role's search path from role, database and server settings", async () => {
    const role = `cat_${randomBytes(4).toString('hex')}`;
    await t.admin.query(`create role ${role}`);
    try {
      await t.admin.query(`alter role ${role} set search_path = nowhere`);
      await t.admin.query(`alter role ${role} in database ${t.name} set search_path = app, "$user", public`);
      await t.admin.query(`alter database ${t.name} set search_path = "Odd Schema", public`);
      const c = await withDb(t.stewardUrl, loadCatalog);
      // Role-in-database beats role, which beats database (ALTER ROLE docs).
      expect(c.searchPathFor(role)).toEqual(['app', role, 'public']);
      expect(c.searchPathFor('someone_else')).toEqual(['Odd Schema', 'public']);
      expect(c.withSearchPath(c.searchPathFor(role)).lookup(undefined, 'open_orders')).toMatchObject({ schema: 'app' });
      // Our own session got the database setting too (and current_schemas drops the schema that does not exist).
      expect(c.searchPath).toEqual(['public']);
      await t.admin.query(`alter role pgsteward in database ${t.name} set search_path = app, public`);
      const mine = await withDb(t.stewardUrl, loadCatalog);
      expect(mine.searchPath).toEqual(['app', 'public']);
      expect(mine.lookup(undefined, 'Orders')).toMatchObject({ schema: 'app', name: 'Orders' });
    } finally {
      await t.admin.query(`alter database ${t.name} reset search_path`);
      await t.admin.query(`alter role pgsteward in database ${t.name} reset search_path`);
      await t.admin.query(`drop role ${role}`);
    }
  });

  it('parses search_path values like PostgreSQL', () => {
    expect(parseSearchPath('"$user", public', 'alice')).toEqual(['alice', 'public']);
    expect(parseSearchPath('App, "Mixed ""Q"" Case" ,x', 'alice')).toEqual(['app', 'Mixed "Q" Case', 'x']);
    expect(parseSearchPath('', 'alice')).toEqual([]);
  });
});

describe('advisor existing indexes', () => {
  let all: ExistingIndex[];
  let statsReset: string | null;
  const idx = (name: string) => {
    const found = all.find((i) => i.name === name);
    if (!found) throw new Error(`no index ${name} in ${all.map((i) => i.name).join(', ')}`);
    return found;
  };

  beforeAll(async () => {
    await t.admin.query(`
      alter table app."Orders" add constraint orders_customer_placed_key unique ("customerId", placed);
      create table app.order_lines (order_id int references app."Orders" ("Id"), line int);
      create index orders_open_idx on app."Orders" ("customerId") where note is null;
      create index orders_lower_note_idx on app."Orders" (lower(note));
      create index orders_customer_incl_idx on app."Orders" ("customerId") include (amount, note);
      create index orders_desc_idx on app."Orders" (placed desc nulls first, amount nulls first);
      create index orders_note_pattern_idx on app."Orders" (note text_pattern_ops);
      create index events_at_idx on events (at);
      create table dupes (v int);
      insert into dupes values (1), (1);
      alter table app."Orders" replica identity using index orders_customer_placed_key;
      create table excl (r int4range, exclude using gist (r with &&));
    `);
    await expect(t.admin.query(`create unique index concurrently dupes_v_key on dupes (v)`)).rejects.toThrow(/could not create unique index/);
    await t.admin.query(`select pg_stat_reset()`);
    const app = await t.session();
    await app.query(`set enable_seqscan = off`);
    // Only the expression index can serve this; statistics reach the shared view at transaction end (≤ 1 s).
    await app.query(`select * from app."Orders" where lower(note) = 'n'`);
    await app.query(`select pg_stat_force_next_flush()`);
    await waitFor(async () => (await t.admin.query(`select idx_scan from pg_stat_user_indexes where indexrelname = 'orders_lower_note_idx'`)).rows[0]?.idx_scan > 0);
    t.applyRoleScript();
    const loaded = await withDb(t.stewardUrl, loadExistingIndexes);
    all = loaded.indexes;
    statsReset = loaded.statsReset;
  });

  it('reads key columns, INCLUDE columns, predicates, expressions and directions', () => {
    expect(idx('orders_open_idx')).toMatchObject({ schema: 'app', table: 'Orders', method: 'btree', keys: [{ column: 'customerId', descending: false, nullsFirst: false, opclass: 'int4_ops', opclassDefault: true }], include: [], predicate: 'note IS NULL' });
    expect(idx('orders_lower_note_idx').keys).toEqual([expect.objectContaining({ expression: 'lower(note)' })]);
    expect(idx('orders_lower_note_idx').keys[0].column).toBeUndefined();
    expect(idx('orders_customer_incl_idx')).toMatchObject({ keys: [{ column: 'customerId' }], include: ['amount', 'note'] });
    expect(idx('orders_desc_idx').keys).toEqual([
      expect.objectContaining({ column: 'placed', descending: true, nullsFirst: true }),
      expect.objectContaining({ column: 'amount', descending: false, nullsFirst: true }),
    ]);
    expect(idx('orders_note_pattern_idx').keys[0]).toMatchObject({ opclass: 'text_pattern_ops', opclassDefault: false });
    expect(idx('orders_open_idx').definition).toContain('WHERE (note IS NULL)');
  });

  it('tells constraint-backed, replica identity, exclusion and invalid indexes apart', () => {
    expect(idx('Orders_pkey')).toMatchObject({ primary: true, unique: true, constraint: { name: 'Orders_pkey', type: 'primary' }, referencedBy: ['order_lines_order_id_fkey'] });
    expect(idx('orders_customer_placed_key')).toMatchObject({ primary: false, unique: true, replicaIdentity: true, constraint: { name: 'orders_customer_placed_key', type: 'unique' } });
    expect(idx('excl_r_excl')).toMatchObject({ method: 'gist', exclusion: true, constraint: { type: 'exclusion' } });
    expect(idx('dupes_v_key')).toMatchObject({ valid: false, unique: true });
    expect(idx('dupes_v_key').constraint).toBeUndefined();
    expect(idx('orders_open_idx')).toMatchObject({ valid: true, ready: true, replicaIdentity: false, referencedBy: [] });
  });

  it('links partition indexes to the partitioned one, which has no scans of its own', () => {
    const parent = idx('events_at_idx');
    expect(parent).toMatchObject({ partitioned: true, scans: null });
    const children = all.filter((i) => i.parentOid === parent.oid);
    expect(children.map((c) => c.table).sort()).toEqual(['events_2024', 'events_2025']);
    expect(children.every((c) => !c.partitioned && c.scans === 0)).toBe(true);
  });

  it('reports scans since the database statistics reset, and sizes from relpages', () => {
    expect(statsReset).toEqual(expect.any(String));
    expect(Date.now() - Date.parse(statsReset!)).toBeLessThan(5 * 60_000);
    expect(idx('orders_lower_note_idx').scans).toBeGreaterThanOrEqual(1);
    expect(idx('orders_desc_idx').scans).toBe(0);
    // CREATE INDEX sets relpages of the new index, so a built index on a filled table has a size.
    expect(idx('Orders_pkey').sizeBytes).toBeGreaterThan(0);
    expect(idx('Orders_pkey').sizeBytes % 8192).toBe(0);
    expect(all.some((i) => i.schema === 'pg_catalog' || i.schema.startsWith('pg_toast'))).toBe(false);
  });

  it('chooses version-dependent columns by major', () => {
    expect(existingIndexesSql(14)).toContain('false as nulls_not_distinct');
    expect(existingIndexesSql(15)).toContain('i.indnullsnotdistinct');
    expect(existingIndexesSql(15)).toContain('null::timestamptz as last_scan');
    expect(existingIndexesSql(16)).toContain('s.last_idx_scan');
  });
});
