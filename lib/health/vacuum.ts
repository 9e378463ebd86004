/**
 * Tables vacuum is not keeping up with: dead tuples at least `warning`% of the table and at
 * least minDeadTuples, or dead tuples past the autovacuum trigger (autovacuum_vacuum_threshold
 * + autovacuum_vacuum_scale_factor × reltuples, PostgreSQL docs, "The Autovacuum Daemon") with
 * no vacuum for staleAfter seconds. A never-vacuumed table is measured from when statistics
 * began (the last stats reset, or the server start), so a new table is not called stale.
 * One statement over pg_stat_user_tables; no table is locked.
 */
import type { CheckFamily, CheckContext, FamilyResult } from './context';
import type { Finding } from './finding';
import { capFindings, humanCount, humanSeconds, judge, okFinding } from './judge';

const SQL = `
with known_since as (
  select coalesce(stats_reset, pg_postmaster_start_time()) as at
  from pg_stat_database where datname = current_database()
), t as (
  select s.relid::regclass::text as relation, s.n_live_tup, s.n_dead_tup,
         greatest(s.last_vacuum, s.last_autovacuum) as last_vacuum,
         current_setting('autovacuum_vacuum_threshold')::float8
           + current_setting('autovacuum_vacuum_scale_factor')::float8 * greatest(c.reltuples, 0) as trigger_at,
         coalesce(c.reloptions::text[] @> array['autovacuum_enabled=false'], false) as autovacuum_disabled
  from pg_stat_user_tables s
  join pg_class c on c.oid = s.relid
)
select t.relation, t.n_live_tup::float8 as live, t.n_dead_tup::float8 as dead, t.trigger_at, t.autovacuum_disabled,
       extract(epoch from now() - coalesce(t.last_vacuum, k.at))::float8 as since_vacuum_seconds,
       t.last_vacuum is null as never_vacuumed
from t, known_since k
where (t.n_dead_tup >= $1 and t.n_dead_tup * 100.0 >= $2 * greatest(t.n_live_tup + t.n_dead_tup, 1))
   or (t.n_dead_tup > t.trigger_at and coalesce(t.last_vacuum, k.at) < now() - make_interval(secs => $3))
order by t.n_dead_tup desc
limit 100`;

interface Row {
  relation: string;
  live: number;
  dead: number;
  trigger_at: number;
  autovacuum_disabled: boolean;
  since_vacuum_seconds: number;
  never_vacuumed: boolean;
}

export const vacuum: CheckFamily = {
  name: 'vacuum',
  checks: ['vacuum'],
  async run(ctx: CheckContext): Promise<FamilyResult> {
    const t = ctx.settings.thresholds.vacuum;
    const minDead = Number(t.minDeadTuples ?? 0);
    const ratio = t.warning ?? t.critical ?? 100;
    const staleAfter = Number(t.staleAfter ?? 7 * 86400);
    const rows = await ctx.db.query<Row>(SQL, [minDead, ratio, staleAfter]);
    const findings: Finding[] = [];
    for (const r of rows) {
      const pct = Math.round((r.dead / Math.max(1, r.live + r.dead)) * 1000) / 10;
      const bloat = r.dead >= minDead ? judge('vacuum', pct, t) : { severity: 'ok' as const, threshold: undefined };
      const stale = r.dead > r.trigger_at && r.since_vacuum_seconds >= staleAfter;
      if (bloat.severity === 'ok' && !stale) continue;
      const reasons: string[] = [];
      if (bloat.severity !== 'ok') reasons.push(`${humanCount(r.dead)} dead tuples (${pct}% of the table)`);
      if (stale) reasons.push(`${r.never_vacuumed ? 'never vacuumed' : `not vacuumed for ${humanSeconds(r.since_vacuum_seconds)}`} although ${humanCount(r.dead)} dead tuples are past the autovacuum trigger (${humanCount(Math.round(r.trigger_at))})`);
      const hint = r.autovacuum_disabled
        ? 'Autovacuum is disabled on this table (autovacuum_enabled=false): vacuum it by hand or re-enable it.'
        : 'Check for long transactions or replication slots holding back cleanup, and consider lowering autovacuum_vacuum_scale_factor for this table.';
      findings.push({
        check: 'vacuum', severity: bloat.severity === 'ok' ? 'warning' : bloat.severity, object: r.relation, value: pct, threshold: bloat.threshold,
        message: `Table ${r.relation}: ${reasons.join('; ')}. ${hint}`,
        detail: { deadTuples: r.dead, liveTuples: r.live, sinceVacuumSeconds: Math.round(r.since_vacuum_seconds), neverVacuumed: r.never_vacuumed, autovacuumDisabled: r.autovacuum_disabled },
      });
    }
    if (findings.length) return { findings: capFindings(findings, ctx.settings.maxSessionsPerCheck, 'tables') };
    return { findings: [okFinding('vacuum', 'Vacuum is keeping up: no table over the dead-tuple thresholds or overdue')] };
  },
};
