/**
 * The index advisor's "no" answers on real workloads: an already indexed column, a tiny table,
 * low-selectivity columns, a write-heavy table (a marginal index is not worth its writes, a
 * strongly useful one still is), statements it cannot parse or type (skipped with a reason, the
 * run goes on), and the existing indexes it reports: unused, duplicate, invalid.
 */
import { Client } from 'pg';
import type { AdviseReport } from '../../lib/report/types';
import { adviseCli, resetTableStats, AdviseRun, applyRecommendation, createdIndexNames, flushStats, keysOf, planOf, recsFor, statementTexts } from '../support/advise-cases';
import { useTestDatabase } from '../support/db';

const t = useTestDatabase();
let app: Client;
let run: AdviseRun;
let report: AdviseReport;

const DEEP = 3000;
const deepText = (v: number) => `select count(*) from ng_docs where n = ${'coalesce('.repeat(DEEP)}${v}${')'.repeat(DEEP)}`;

beforeAll(async () => {
  const a = t.admin;
  await a.query(`
    create table ng_members (id serial primary key, login text not null, bio text);
    insert into ng_members (login, bio) select 'login' || g, 'bio ' || g from generate_series(1, 100000) g;
    create index ng_members_login_idx on ng_members (login);
    create table ng_tiny (id serial primary key, code text not null);
    insert into ng_tiny (code) select 'code' || g from generate_series(1, 100) g;
    create table ng_flags (id serial primary key, is_active boolean not null, tier text not null, payload text not null);
    insert into ng_flags (is_active, tier, payload) select g % 2 = 0, (array['free','pro','team'])[1 + g % 3], repeat('p', 40) from generate_series(1, 100000) g;
    create table ng_ledger (id serial primary key, account_id int not null, ref text not null, amount int not null);
    insert into ng_ledger (account_id, ref, amount) select g % 20000, 'ref' || g, g % 100 from generate_series(1, 100000) g;
    -- Its twin without writes: the same 3 lookups by ref there must be recommended.
    create table ng_quiet (id serial primary key, account_id int not null, ref text not null, amount int not null);
    insert into ng_quiet (account_id, ref, amount) select g % 20000, 'ref' || g, g % 100 from generate_series(1, 100000) g;
    create table ng_audit (id serial primary key, actor text not null, action text not null, at timestamptz not null default now());
    insert into ng_audit (actor, action) select 'actor' || (g % 1000), 'action-' || g from generate_series(1, 100000) g;
    create index ng_audit_action_idx on ng_audit (action);
    create index ng_audit_actor_a on ng_audit (actor);
    create index ng_audit_actor_b on ng_audit (actor);
    create table ng_docs (id serial primary key, n int not null, doc jsonb not null);
    insert into ng_docs (n, doc) select g, jsonb_build_object('k', g) from generate_series(1, 1000) g;
    -- A user function whose name is a keyword only from PostgreSQL 17 (JSON_QUERY): PostgreSQL 15
    -- runs calls to it, libpg-query (the 17+ grammar) cannot parse them.
    create function json_query(doc jsonb) returns text language sql immutable as $$ select doc->>'k' $$;`);
  // A failed CREATE UNIQUE INDEX CONCURRENTLY (duplicate actors) leaves an invalid index behind.
  await expect(a.query(`create unique index concurrently ng_audit_actor_uq on ng_audit (actor)`)).rejects.toThrow(/could not create unique index/);
  await a.query(`vacuum analyze`);
  t.applyRoleScript();
  await resetTableStats(a);

  app = await t.session();
  for (let i = 0; i < 5; i++) {
    await app.query(`select * from ng_members where login = $1`, [`login${i}`]);
    await app.query(`select * from ng_tiny where code = $1`, [`code${i}`]);
    await app.query(`select * from ng_flags where is_active = $1`, [i % 2 === 0]);
    await app.query(`select * from ng_flags where tier = $1`, [['free', 'pro', 'team'][i % 3]]);
    // Unparsable for libpg-query; nested too deep for its analysis; `$1 + $2` (from `1 + 2`)
    // compared with no column: PREPARE sees unknown + unknown.
    await app.query(`select id from ng_docs where json_query(doc) = $1`, [String(i)]);
    await app.query(deepText(i));
    await app.query(`select ${i} + 1 as rank, n from ng_docs where n = ${i}`);
  }
  // Write-heavy: 40k inserts, 40k deletes and 20k updates counted after the reset, then few reads.
  await app.query(`insert into ng_ledger (account_id, ref, amount) select g % 20000, 'new' || g, 1 from generate_series(1, 40000) g`);
  await app.query(`delete from ng_ledger where id > 100000`);
  await app.query(`update ng_ledger set amount = amount + 1 where id <= 20000`);
  await flushStats(app, 'ng_ledger', { ins: 40000, del: 40000, upd: 20000 });
  // Marginal: a selective lookup called 3 times saves at most ~3 × a scan (~8k units) < ~80k written rows.
  for (let i = 0; i < 3; i++) await app.query(`select * from ng_ledger where ref = $1`, [`ref${i * 11}`]);
  for (let i = 0; i < 3; i++) await app.query(`select * from ng_quiet where ref = $1`, [`ref${i * 11}`]);
  // Strongly useful: 200 calls × ~2.5k units saved each (~500k) > ~80k written rows.
  for (let i = 0; i < 200; i++) await app.query(`select * from ng_ledger where account_id = $1`, [i]);
  await a.query('analyze ng_ledger');

  run = await adviseCli(t);
  report = run.report;
  if (process.env.PGSTEWARD_TEST_VERBOSE) process.stderr.write(`advise ${run.ms} ms: ${keysOf(report).join(' ')}\n${JSON.stringify(report.indexFindings, null, 1)}\n`);
}, 180_000);

const skippedFor = (re: RegExp) => report.skipped.filter((s) => re.test(s.query));

describe('advise: what it must not recommend, what it skips, what it reports (PostgreSQL 15, HypoPG)', () => {
  it('exits 0 with a report and no errors, whatever the odd statements', () => {
    expect(run.code).toBe(0);
    expect(report.errors).toEqual([]);
  });

  it('already indexed: nothing recommended, and the index is not reported unused', () => {
    expect(recsFor(report, 'public.ng_members')).toEqual([]);
    expect(report.indexFindings.filter((f) => f.index === 'public.ng_members_login_idx')).toEqual([]);
    // It was analysed, not skipped.
    expect(skippedFor(/ng_members where/)).toEqual([]);
  });

  it('a tiny table (100 rows): nothing', () => {
    expect(recsFor(report, 'public.ng_tiny')).toEqual([]);
  });

  it('low-selectivity columns (a boolean, a 3-valued text): nothing', () => {
    expect(recsFor(report, 'public.ng_flags')).toEqual([]);
  });

  it('write-heavy table: the marginal index is not worth its writes, the strongly useful one is', () => {
    const recs = recsFor(report, 'public.ng_ledger');
    expect(recs.map((r) => r.columns[0])).toEqual(['account_id']);
    expect(recs[0].writeOverhead).toBeGreaterThanOrEqual(50_000);
    expect(recs[0].benefit).toBeGreaterThan(0);
    expect(recs[0].explanation).toContain('some work on every write');
    // The control: the same 3 lookups on the same data without the writes are worth an index.
    expect(recsFor(report, 'public.ng_quiet').map((r) => r.columns[0])).toEqual(['ref']);
  });

  it('an unparsable statement is skipped with the parser error', () => {
    const s = skippedFor(/json_query\(doc\)/);
    expect(s).toEqual([expect.objectContaining({ reason: 'unparsable', detail: expect.stringMatching(/syntax error/) })]);
  });

  it('a statement nested too deep for the analysis is skipped with a reason, not a crash', () => {
    const s = skippedFor(/^select count\(\*\) from ng_docs where n = coalesce\(coalesce/);
    expect(s).toHaveLength(1);
    expect(['unsupported', 'unparsable']).toContain(s[0].reason);
    expect(s[0].detail).toBeTruthy();
    expect(s[0].query.length).toBeLessThanOrEqual(201); // a preview, not 30 kB
  });

  it('a type-ambiguous statement (`select $1 + $2 …`: unknown + unknown) is skipped with the planner error', async () => {
    expect(await statementTexts(t.admin, 'select $1 + $2 as rank, n from ng_docs where n = $3')).toHaveLength(1);
    const s = skippedFor(/^select \$1 \+ \$2 as rank/);
    expect(s).toEqual([expect.objectContaining({ reason: 'plan-failed', detail: expect.stringMatching(/not unique|could not determine/) })]);
    expect(recsFor(report, 'public.ng_docs')).toEqual([]);
  });

  it('unused, duplicate and invalid indexes are reported with a DROP INDEX CONCURRENTLY that runs', async () => {
    const f = (kind: string, index: string) => report.indexFindings.find((x) => x.kind === kind && x.index === index);
    const expected = [f('unused', 'public.ng_audit_action_idx'), f('duplicate', 'public.ng_audit_actor_b'), f('invalid', 'public.ng_audit_actor_uq')];
    expect(expected.map((x) => x?.index)).toEqual(['public.ng_audit_action_idx', 'public.ng_audit_actor_b', 'public.ng_audit_actor_uq']);
    for (const x of expected) {
      expect(x!.statement).toBe(`DROP INDEX CONCURRENTLY IF EXISTS "public"."${x!.index.split('.')[1]}";`);
      expect(x!.reason).toBeTruthy();
      await t.admin.query(x!.statement.replace(/;$/, ''));
    }
    const { rows } = await t.admin.query(`select relname from pg_class where relname in ('ng_audit_action_idx', 'ng_audit_actor_b', 'ng_audit_actor_uq', 'ng_audit_actor_a')`);
    expect(rows.map((r) => r.relname)).toEqual(['ng_audit_actor_a']);
    // Neither a primary key nor the index the workload uses is ever reported.
    expect(report.indexFindings.filter((x) => /_pkey$/.test(x.index))).toEqual([]);
  });

  it('every recommended statement runs, and the planner then uses its index', async () => {
    const literal: Record<string, string> = {
      'public.ng_ledger': `select * from ng_ledger where account_id = 4242`,
      'public.ng_quiet': `select * from ng_quiet where ref = 'ref4242'`,
    };
    expect(report.recommendations.length).toBeGreaterThan(0);
    for (const r of report.recommendations) {
      if (!literal[r.table]) throw new Error(`unexpected recommendation on ${r.table}: ${r.statement}`);
      await applyRecommendation(t.admin, r.statement);
      const plan = await planOf(t.admin, literal[r.table]);
      expect(plan.indexes).toEqual(createdIndexNames(r.statement));
    }
  });
});
