/**
 * The index advisor on a partitioned parent (range-partitioned by month, 3 partitions): the
 * recommendation is the sequence PostgreSQL allows instead of CONCURRENTLY on a parent — an
 * index ON ONLY the parent, each partition's built CONCURRENTLY, each ATTACHed — and running it
 * as written leaves a valid parent index the planner uses on every partition.
 */
import { Client } from 'pg';
import type { AdviseReport } from '../../lib/report/types';
import { adviseCli, resetTableStats, AdviseRun, applyRecommendation, createdIndexNames, keysOf, planOf, recsFor, splitStatements } from '../support/advise-cases';
import { useTestDatabase } from '../support/db';

const t = useTestDatabase();
let app: Client;
let run: AdviseRun;
let report: AdviseReport;
const PARTITIONS = ['pt_events_2024_01', 'pt_events_2024_02', 'pt_events_2024_03'];

beforeAll(async () => {
  await t.admin.query(`
    create table pt_events (id bigint not null, tenant_id int not null, at timestamptz not null, payload text not null) partition by range (at);
    create table pt_events_2024_01 partition of pt_events for values from ('2024-01-01 00:00+00') to ('2024-02-01 00:00+00');
    create table pt_events_2024_02 partition of pt_events for values from ('2024-02-01 00:00+00') to ('2024-03-01 00:00+00');
    create table pt_events_2024_03 partition of pt_events for values from ('2024-03-01 00:00+00') to ('2024-04-01 00:00+00');
    insert into pt_events (id, tenant_id, at, payload)
      select g, g % 5000, timestamptz '2024-01-01 00:00+00' + (g % 90) * interval '1 day' + (g % 86400) * interval '1 second', repeat('e', 40)
      from generate_series(1, 150000) g;`);
  await t.admin.query(`vacuum analyze pt_events, pt_events_2024_01, pt_events_2024_02, pt_events_2024_03`);
  t.applyRoleScript();
  await resetTableStats(t.admin);
  app = await t.session();
  for (let i = 0; i < 5; i++) await app.query(`select * from pt_events where tenant_id = $1`, [100 + i]);
  run = await adviseCli(t);
  report = run.report;
  if (process.env.PGSTEWARD_TEST_VERBOSE) process.stderr.write(`advise ${run.ms} ms: ${keysOf(report).join(' ')}\n${report.recommendations.map((r) => r.statement).join('\n')}\n${JSON.stringify(report.skipped.filter((s) => s.query.includes('pt_events')))}\n`);
}, 120_000);

describe('advise on a partitioned parent (PostgreSQL 15, HypoPG)', () => {
  it('recommends the parent index as ON ONLY + CONCURRENTLY per partition + ATTACH', () => {
    expect(run.code).toBe(0);
    expect(report.errors).toEqual([]);
    const recs = recsFor(report, 'public.pt_events');
    expect(recs.map((r) => r.columns)).toEqual([['tenant_id']]);
    // Partitions are indexed through their parent, never on their own.
    expect(report.recommendations.filter((r) => PARTITIONS.some((p) => r.table === `public.${p}`))).toEqual([]);
    const lines = splitStatements(recs[0].statement);
    expect(lines).toHaveLength(1 + 2 * PARTITIONS.length);
    expect(lines[0]).toMatch(/^CREATE INDEX IF NOT EXISTS "([^"]+)" ON ONLY "public"\."pt_events" \("tenant_id"\)$/);
    expect(lines[0]).not.toContain('CONCURRENTLY');
    const parent = createdIndexNames(recs[0].statement)[0];
    PARTITIONS.forEach((p) => {
      expect(lines.slice(1).filter((l) => l.includes(`"public"."${p}"`)).length).toBeGreaterThanOrEqual(1);
      const create = lines.find((l) => new RegExp(`^CREATE INDEX CONCURRENTLY IF NOT EXISTS "[^"]+" ON "public"\\."${p}" \\("tenant_id"\\)$`).test(l));
      expect(create).toBeDefined();
      const child = createdIndexNames(create!)[0];
      expect(lines).toContain(`ALTER INDEX "public"."${parent}" ATTACH PARTITION "public"."${child}"`);
      expect(lines.indexOf(`ALTER INDEX "public"."${parent}" ATTACH PARTITION "public"."${child}"`)).toBeGreaterThan(lines.indexOf(create!));
    });
  });

  it('running it as written yields a valid parent index, attached on every partition, used by the planner', async () => {
    const [rec] = recsFor(report, 'public.pt_events');
    expect(rec).toBeDefined();
    await applyRecommendation(t.admin, rec.statement);
    const parent = createdIndexNames(rec.statement)[0];
    const { rows: [p] } = await t.admin.query(`select i.indisvalid as valid, c.relkind as kind from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = $1`, [parent]);
    expect(p).toEqual({ valid: true, kind: 'I' });
    const { rows: attached } = await t.admin.query(
      `select t.relname as partition, ic.relname as index, i.indisvalid as valid
       from pg_inherits h join pg_class ic on ic.oid = h.inhrelid join pg_index i on i.indexrelid = ic.oid join pg_class t on t.oid = i.indrelid
       where h.inhparent = $1::regclass order by 1`,
      [`"public"."${parent}"`],
    );
    expect(attached.map((r) => [r.partition, r.valid])).toEqual(PARTITIONS.map((x) => [x, true]));
    await t.admin.query('analyze pt_events');
    const plan = await planOf(t.admin, `select * from pt_events where tenant_id = 4242`);
    expect([...plan.indexes].sort()).toEqual(attached.map((r) => r.index).sort());
    // The advisor now sees it: nothing more to recommend on the parent.
    const again = await adviseCli(t);
    expect(recsFor(again.report, 'public.pt_events')).toEqual([]);
  });
});
