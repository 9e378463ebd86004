/**
 * Replication slots and lag. A slot keeps WAL until its consumer confirms it, so an abandoned
 * slot fills the disk (PostgreSQL docs, "Replication Slots"); wal_status 'lost' (13+) means the
 * consumer can never resume. Lag is pg_stat_replication.replay_lag on a primary, and the age of
 * the last replayed transaction on a standby that is behind (PostgreSQL docs, "Monitoring").
 */
import type { CheckFamily, CheckContext, FamilyResult } from './context';
import { CheckId, worstSeverity } from './catalog';
import type { Finding } from './finding';
import { humanSeconds, judge, okFinding } from './judge';
import { formatBytes } from '../config/units';

// pg_current_wal_lsn() fails during recovery; on a standby the received position stands in.
const SLOTS_SQL = `
select slot_name, slot_type, database, active, wal_status,
       pg_wal_lsn_diff(case when pg_is_in_recovery() then pg_last_wal_receive_lsn() else pg_current_wal_lsn() end,
                       restart_lsn)::float8 as retained_bytes
from pg_replication_slots
order by slot_name`;

const PRIMARY_LAG_SQL = `
select coalesce(application_name, '') as application_name, client_addr::text, state,
       extract(epoch from replay_lag)::float8 as replay_lag_seconds,
       pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 as lag_bytes
from pg_stat_replication
order by application_name`;

// A caught-up standby replays nothing and its last replay timestamp ages: that is not lag.
// Without a replayed transaction since start-up the lag in time is unknown; bytes still tell.
const STANDBY_LAG_SQL = `
select case when pg_last_wal_receive_lsn() is not distinct from pg_last_wal_replay_lsn() then 0
            else extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 end as lag_seconds,
       coalesce(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0)::float8 as lag_bytes,
       pg_is_wal_replay_paused() as paused`;

/** How long a standby gets to replay what it has received before an undatable gap counts. */
const STANDBY_RECHECK_MS = 500;

interface SlotRow {
  slot_name: string;
  slot_type: string;
  database: string | null;
  active: boolean;
  wal_status: string | null;
  retained_bytes: number | null;
}

export const replication: CheckFamily = {
  name: 'replication',
  checks: ['replication_slots', 'replication_lag'],
  async run(ctx: CheckContext, enabled: Set<CheckId>): Promise<FamilyResult> {
    const findings: Finding[] = [];
    if (enabled.has('replication_slots')) findings.push(...(await slots(ctx)));
    if (enabled.has('replication_lag')) findings.push(...(await lag(ctx)));
    return { findings };
  },
};

async function slots(ctx: CheckContext): Promise<Finding[]> {
  const t = ctx.settings.thresholds.replication_slots;
  const rows = await ctx.db.query<SlotRow>(SLOTS_SQL);
  const out: Finding[] = [];
  for (const r of rows) {
    const retained = r.retained_bytes ?? 0;
    const bytes = judge('replication_slots', retained, t);
    const reasons: string[] = [];
    let severity = bytes.severity;
    if (bytes.severity !== 'ok') reasons.push(`retains ${formatBytes(retained)} of WAL`);
    if (!r.active) {
      reasons.push('is inactive');
      severity = worstSeverity([severity, t.severity ?? 'warning']);
    }
    if (r.wal_status === 'lost') {
      reasons.push('has lost required WAL (its consumer cannot resume)');
      severity = 'critical';
    } else if (r.wal_status === 'unreserved') {
      reasons.push('is about to lose required WAL (max_slot_wal_keep_size)');
      severity = worstSeverity([severity, 'warning']);
    }
    if (severity === 'ok') continue;
    out.push({
      check: 'replication_slots', severity, object: r.slot_name, value: retained, threshold: bytes.threshold,
      message: `Replication slot ${r.slot_name} (${r.slot_type}${r.database ? `, database ${r.database}` : ''}) ${reasons.join(' and ')}. If nothing consumes it any more: SELECT pg_drop_replication_slot('${r.slot_name.replace(/'/g, "''")}');`,
      detail: { slotType: r.slot_type, database: r.database, active: r.active, walStatus: r.wal_status, retainedBytes: retained },
    });
  }
  if (out.length) return out;
  return [okFinding('replication_slots', rows.length ? `${rows.length} replication slot(s), all active, retaining at most ${formatBytes(Math.max(...rows.map((r) => r.retained_bytes ?? 0)))}` : 'No replication slots')];
}

async function lag(ctx: CheckContext): Promise<Finding[]> {
  const t = ctx.settings.thresholds.replication_lag;
  if (ctx.db.server.inRecovery) return [await standbyLag(ctx)];
  const rows = await ctx.db.query<{ application_name: string; client_addr: string | null; state: string; replay_lag_seconds: number | null; lag_bytes: number | null }>(PRIMARY_LAG_SQL);
  const out: Finding[] = [];
  for (const r of rows) {
    // replay_lag is NULL once an idle standby has caught up: no lag to report.
    const seconds = r.replay_lag_seconds ?? 0;
    const v = judge('replication_lag', seconds, t);
    if (v.severity === 'ok') continue;
    const name = r.application_name || r.client_addr || 'standby';
    out.push({
      check: 'replication_lag', severity: v.severity, object: name, value: Math.round(seconds), threshold: v.threshold,
      message: `Standby ${name}${r.client_addr ? ` at ${r.client_addr}` : ''} (${r.state}) is ${humanSeconds(seconds)} behind in replay (${formatBytes(r.lag_bytes ?? 0)} of WAL)`,
      detail: { state: r.state, clientAddr: r.client_addr, lagBytes: r.lag_bytes },
    });
  }
  if (out.length) return out;
  const maxLag = Math.max(0, ...rows.map((r) => r.replay_lag_seconds ?? 0));
  return [okFinding('replication_lag', rows.length ? `${rows.length} standby(s), replay lag at most ${humanSeconds(maxLag)}` : 'No standbys connected', Math.round(maxLag))];
}

async function standbyLag(ctx: CheckContext): Promise<Finding> {
  const t = ctx.settings.thresholds.replication_lag;
  type LagRow = { lag_seconds: number | null; lag_bytes: number; paused: boolean };
  let [r] = await ctx.db.query<LagRow>(STANDBY_LAG_SQL);
  // Received but not yet replayed, with no replayed commit to date the gap by: usually a record
  // still in flight (the primary writes one every few seconds even when idle), replayed within
  // milliseconds. Look once more before calling it unknown, so an idle standby does not flap.
  if (r.lag_seconds === null && !r.paused) {
    await new Promise((resolve) => setTimeout(resolve, STANDBY_RECHECK_MS));
    [r] = await ctx.db.query<LagRow>(STANDBY_LAG_SQL);
  }
  const paused = r.paused ? ' Replay is paused: SELECT pg_wal_replay_resume(); resumes it.' : '';
  if (r.lag_seconds === null) {
    // Behind, but no replayed commit to date the gap by.
    return {
      check: 'replication_lag', severity: r.paused ? 'warning' : 'unknown', object: 'this standby', value: undefined,
      message: `This standby is ${formatBytes(r.lag_bytes)} of WAL behind its primary; how long cannot be told (no transaction replayed since it started).${paused}`,
      detail: { lagBytes: r.lag_bytes, paused: r.paused },
    };
  }
  const v = judge('replication_lag', r.lag_seconds, t);
  const severity = r.paused ? worstSeverity([v.severity, 'warning']) : v.severity;
  return {
    check: 'replication_lag', severity, object: severity === 'ok' ? undefined : 'this standby', value: Math.round(r.lag_seconds), threshold: v.threshold,
    message: `This server is a standby, ${r.lag_seconds > 0 ? `${humanSeconds(r.lag_seconds)} (${formatBytes(r.lag_bytes)}) behind its primary` : 'caught up with its primary'}.${paused}`,
    detail: { lagBytes: r.lag_bytes, paused: r.paused },
  };
}
