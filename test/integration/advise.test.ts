/**
 * The advisor end to end on a small OLTP workload whose right answers are known: it must
 * recommend what the planner proves, nothing for what is already indexed or not selective, and
 * every recommended statement must run and then be used by the planner.
 */
import { Client } from 'pg';
import { advise, ADVISE_DEFAULTS, AdviseSettings } from '../../lib/advisor/advise';
import { DEFAULT_COLLECT_SETTINGS } from '../../lib/advisor/collect';
import { Db, fromUrl } from '../../lib/pg';
import { useTestDatabase } from '../support/db';

const settings: AdviseSettings = { ...DEFAULT_COLLECT_SETTINGS, ...ADVISE_DEFAULTS, minMeanTimeMs: 0, storageBudgetBytes: 200 * 1024 * 1024 };
const session = { statementTimeoutMs: 30000, lockTimeoutMs: 1000, connectTimeoutMs: 5000 };

describe('advise on an OLTP workload', () => {
  const t = useTestDatabase();
  let app: Client;

  beforeAll(async () => {
    await t.admin.query(`create table customers (id serial primary key, email text not null, country text not null, created_at timestamptz not null default now())`);
    await t.admin.query(`create table orders (id bigserial primary key, customer_id int not null references customers(id), status text not null, total numeric not null, created_at timestamptz not null, deleted_at timestamptz)`);
    await t.admin.query(`insert into customers (email, country) select 'user' || g || '@example.com', (array['fr','de','us','uk'])[1 + g % 4] from generate_series(1, 20000) g`);
    await t.admin.query(`insert into orders (customer_id, status, total, created_at, deleted_at)
      select 1 + g % 20000, case when g % 50 = 0 then 'pending' else 'shipped' end, g % 300, now() - (g || ' minutes')::interval, case when g % 10 = 0 then now() end
      from generate_series(1, 200000) g`);
    await t.admin.query(`vacuum analyze customers, orders`);
    t.applyRoleScript();
    // The bulk load is not the workload: table write counters start after it (per database).
    // Flush this session's pending table counters first (they reach shared stats up to 1 s late).
    await t.admin.query(`select pg_stat_force_next_flush()`);
    await t.admin.query(`select pg_stat_reset()`);
    app = await t.session();
    for (let i = 0; i < 5; i++) {
      await app.query(`select * from orders where customer_id = $1 order by created_at desc limit 10`, [100 + i]);
      await app.query(`select id, total from orders where status = $1 and created_at > now() - interval '1 day'`, ['pending']);
      await app.query(`select * from customers where email = $1`, [`user${i}@example.com`]);
      await app.query(`select * from customers where country = $1`, ['fr']);
    }
  });

  it('recommends what the planner proves, and every statement runs and is then used', async () => {
    const db = await Db.connect(fromUrl(t.stewardUrl), session);
    let result;
    try {
      result = await advise(db, settings);
    } finally {
      await db.close();
    }
    const keys = result.recommendations.map((r) => `${r.tableName}(${r.columns.map((c) => c.name).join(',')})`);
    expect(keys).toContain('public.customers(email)');
    expect(keys.some((k) => k.startsWith('public.orders(customer_id'))).toBe(true);
    // Four countries: an index on country cannot beat a scan; the primary key is already there.
    expect(keys.some((k) => k.includes('(country') || k.endsWith('(id)'))).toBe(false);
    for (const r of result.recommendations) {
      expect(r.benefit).toBeGreaterThan(0);
      expect(r.sizeBytes).toBeGreaterThan(0);
      expect(r.statements.length).toBeGreaterThan(0);
      for (const s of r.statements) expect(s.costAfter).toBeLessThan(s.costBefore);
      expect(r.statement).toMatch(/^CREATE INDEX CONCURRENTLY IF NOT EXISTS "[a-z0-9_]+" ON "public"\."[a-z]+" \(.+\);$/);
      // Runnable as written (CONCURRENTLY cannot run in a transaction: one statement at a time).
      for (const stmt of r.statement.split(/;\n?/).filter(Boolean)) await t.admin.query(stmt);
    }
    // Nothing hypothetical is left behind, and the planner now uses the real indexes.
    await t.admin.query('analyze customers, orders');
    const plan = await t.admin.query(`explain (format json) select * from customers where email = 'user7@example.com'`);
    expect(JSON.stringify(plan.rows[0])).toContain('customers_email_idx');
    const orderPlan = await t.admin.query(`explain (format json) select * from orders where customer_id = 42 order by created_at desc limit 10`);
    expect(JSON.stringify(orderPlan.rows[0])).toMatch(/orders_customer_id/);
  });

  it('recommends nothing that an existing index already covers', async () => {
    const db = await Db.connect(fromUrl(t.stewardUrl), session);
    try {
      const again = await advise(db, settings);
      const keys = again.recommendations.map((r) => `${r.tableName}(${r.columns.map((c) => c.name).join(',')})`);
      expect(keys).not.toContain('public.customers(email)');
      expect(keys.some((k) => k.startsWith('public.orders(customer_id)'))).toBe(false);
      expect((await db.query(`select count(*)::int as n from hypopg()`))[0].n).toBe(0);
    } finally {
      await db.close();
    }
  });
});

describe('pgsteward advise (CLI)', () => {
  const t = useTestDatabase();

  beforeAll(async () => {
    await t.admin.query(`create table events (id bigserial primary key, device_id int not null, kind text not null, at timestamptz not null)`);
    await t.admin.query(`insert into events (device_id, kind, at) select g % 5000, 'k' || (g % 7), now() - (g || ' seconds')::interval from generate_series(1, 100000) g`);
    await t.admin.query(`vacuum analyze events`);
    t.applyRoleScript();
    // Flush this session's pending table counters first (they reach shared stats up to 1 s late).
    await t.admin.query(`select pg_stat_force_next_flush()`);
    await t.admin.query(`select pg_stat_reset()`);
    const app = await t.session();
    for (let i = 0; i < 4; i++) await app.query(`select * from events where device_id = $1 and at > now() - interval '1 hour' order by at desc`, [i]);
  });

  it('prints one JSON report with runnable recommendations, writes JSON + Markdown, exits 0', async () => {
    const { cli } = await import('../support/cli');
    const { mkdtempSync, readdirSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const out = mkdtempSync(join(tmpdir(), 'pgsteward-advise-'));
    try {
      const r = await cli('advise', '--database-url', t.stewardUrl, '--json', '--out', out, '--storage-budget', '50MB');
      expect(r.code).toBe(0);
      const report = r.json();
      const { readFileSync: read } = await import('node:fs');
      const Ajv2020 = (await import('ajv/dist/2020')).default;
      const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(JSON.parse(read(join(__dirname, '../../docs/report.schema.json'), 'utf8')));
      expect(validate(report) ? [] : validate.errors).toEqual([]);
      expect(report).toMatchObject({ schemaVersion: 1, advisor: 'advise', summary: { whatIf: 'hypopg', budgetBytes: 50 * 1024 * 1024 } });
      const rec = report.recommendations.find((x: any) => x.table === 'public.events');
      expect(rec.columns[0]).toBe('device_id');
      expect(rec.statement).toMatch(/^CREATE INDEX CONCURRENTLY IF NOT EXISTS "events_device_id[a-z_0-9]*" ON "public"\."events" \("device_id"/);
      expect(rec.explanation).toContain('public.events');
      expect(report.notifications).toContainEqual(expect.objectContaining({ check: 'index_recommendation', reason: 'new' }));
      expect(r.stderr).toContain('pgsteward advise');
      const files = readdirSync(out, { recursive: true }) as string[];
      const md = files.find((f) => f.endsWith('.md'))!;
      expect(readFileSync(join(out, md), 'utf8')).toContain('## Create (1');
      await t.admin.query(rec.statement.replace(/;$/, ''));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('bad flags exit 3; an unreachable database exits 1 with a report', async () => {
    const { cli } = await import('../support/cli');
    expect((await cli('advise', '--database-url', t.stewardUrl, '--what-if', 'magic')).code).toBe(3);
    expect((await cli('advise', '--database-url', t.stewardUrl, '--storage-budget', 'lots')).stderr).toContain('--storage-budget');
    const down = await cli('advise', '--database-url', 'postgres://x:y@127.0.0.1:1/db', '--json');
    expect(down.code).toBe(1);
    expect(down.json().errors[0].message).toContain('advise could not run');
  });
});
