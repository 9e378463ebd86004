/**
 * Sessions: connections in use (server-wide: they share max_connections), long-running statements, idle-in-transaction sessions and
 * blocked queries of this
 * target's database (a blocker is shown wherever it is), from two statements on pg_stat_activity. pg_blocking_pids() is called only
 * for sessions already waiting on a lock, because the docs warn that frequent calls "can have
 * some impact on database performance" (PostgreSQL docs, "System Information Functions").
 */
import type { CheckFamily, CheckContext, FamilyResult } from './context';
import type { CheckId } from './catalog';
import type { Finding } from './finding';
import { capFindings, judge, okFinding } from './judge';
import { describe, oneLine, sessionDetail, SessionRow, who } from './sessions';

// reserved_connections exists from PostgreSQL 16; current_setting(…, true) yields NULL before that.
const CONNECTIONS_SQL = `
select count(*) filter (where backend_type = 'client backend')::int as in_use,
       current_setting('max_connections')::int as max_connections,
       current_setting('superuser_reserved_connections')::int as superuser_reserved,
       coalesce(current_setting('reserved_connections', true), '0')::int as reserved
from pg_stat_activity`;

// $1/$2: the lowest threshold of long_running_queries / idle_in_transaction, in seconds, so
// only sessions that can matter travel over the wire. Blockers are kept whatever their age.
function sessionsSql(major: number): string {
  const waitStart = major >= 14
    ? `(select min(l.waitstart) from pg_locks l where l.pid = s.pid and not l.granted)`
    : `null::timestamptz`;
  return `
with s as (
  select a.pid, a.datname, a.usename::text, a.application_name, a.client_addr::text, a.state, a.query,
         a.query_start, a.state_change, a.wait_event_type,
         case when a.wait_event_type = 'Lock' then pg_blocking_pids(a.pid) end as blocked_by
  from pg_stat_activity a
  where a.pid <> pg_backend_pid()
    and a.backend_type = 'client backend'
)
select s.pid, s.usename, s.application_name, s.client_addr, s.state, s.query, s.blocked_by,
       extract(epoch from now() - s.query_start)::float8 as query_seconds,
       extract(epoch from now() - s.state_change)::float8 as state_seconds,
       extract(epoch from now() - coalesce(${waitStart}, s.query_start))::float8 as wait_seconds
from s
where (s.datname = current_database()
       and ((s.state = 'active' and s.query_start <= now() - make_interval(secs => $1))
         or (s.state like 'idle in transaction%' and s.state_change <= now() - make_interval(secs => $2))
         or cardinality(s.blocked_by) > 0))
   or s.pid in (select unnest(b.blocked_by) from s b where b.datname = current_database())`;
}

interface Row extends SessionRow {
  blocked_by: number[] | null;
  query_seconds: number | null;
  state_seconds: number | null;
  wait_seconds: number | null;
}

export const activity: CheckFamily = {
  name: 'activity',
  checks: ['connections', 'long_running_queries', 'idle_in_transaction', 'blocked_queries'],
  async run(ctx: CheckContext, enabled: Set<CheckId>): Promise<FamilyResult> {
    const findings: Finding[] = [];
    if (enabled.has('connections')) findings.push(await connections(ctx));
    if (['long_running_queries', 'idle_in_transaction', 'blocked_queries'].some((c) => enabled.has(c as CheckId))) {
      findings.push(...(await sessions(ctx, enabled)));
    }
    return { findings };
  },
};

async function connections(ctx: CheckContext): Promise<Finding> {
  const [r] = await ctx.db.query(CONNECTIONS_SQL);
  const usable = Math.max(1, r.max_connections - r.superuser_reserved - r.reserved);
  const pct = Math.round((r.in_use / usable) * 1000) / 10;
  const v = judge('connections', pct, ctx.settings.thresholds.connections);
  return {
    check: 'connections',
    severity: v.severity,
    value: pct,
    threshold: v.threshold,
    message: `${r.in_use} of ${usable} usable connections in use (${pct}%; max_connections ${r.max_connections}, ${r.max_connections - usable} reserved)`,
    detail: { inUse: r.in_use, usable, maxConnections: r.max_connections },
  };
}

async function sessions(ctx: CheckContext, enabled: Set<CheckId>): Promise<Finding[]> {
  const t = ctx.settings.thresholds;
  const lowest = (id: CheckId) => Math.min(t[id].warning ?? Infinity, t[id].critical ?? Infinity);
  const rows = await ctx.db.query<Row>(sessionsSql(ctx.db.server.major), [
    finite(lowest('long_running_queries')),
    finite(lowest('idle_in_transaction')),
  ]);
  const redact = ctx.settings.redactLiterals;
  const max = ctx.settings.maxSessionsPerCheck;
  const byPid = new Map(rows.map((r) => [r.pid, r]));
  const out: Finding[] = [];

  if (enabled.has('long_running_queries')) {
    const found: Finding[] = [];
    for (const r of rows) {
      // pgsteward's own sessions (another advisor running) are not the application's problem, and
      // a statement waiting on a lock is reported once, as blocked, with its blocker.
      if (r.state !== 'active' || r.query_seconds === null || r.application_name === 'pgsteward' || r.blocked_by?.length) continue;
      const v = judge('long_running_queries', r.query_seconds, t.long_running_queries);
      if (v.severity === 'ok') continue;
      const s = sessionDetail(r, r.query_seconds, redact);
      found.push({ check: 'long_running_queries', severity: v.severity, object: `pid ${r.pid}`, value: s.durationSeconds, threshold: v.threshold, message: describe(s, 'has been running'), detail: { session: s } });
    }
    out.push(...(found.length ? capFindings(found, max, 'sessions') : [okFinding('long_running_queries', `No statement has been running longer than ${lowest('long_running_queries')}s`)]));
  }

  if (enabled.has('idle_in_transaction')) {
    const found: Finding[] = [];
    for (const r of rows) {
      if (!r.state?.startsWith('idle in transaction') || r.state_seconds === null) continue;
      const v = judge('idle_in_transaction', r.state_seconds, t.idle_in_transaction);
      if (v.severity === 'ok') continue;
      const s = sessionDetail(r, r.state_seconds, redact);
      const blocking = rows.filter((b) => b.blocked_by?.includes(r.pid)).length;
      found.push({
        check: 'idle_in_transaction', severity: v.severity, object: `pid ${r.pid}`, value: s.durationSeconds, threshold: v.threshold,
        message: `${describe(s, `has been ${r.state}`)}${blocking ? ` — blocking ${blocking} session(s)` : ''}`,
        detail: { session: s, blocking },
      });
    }
    out.push(...(found.length ? capFindings(found, max, 'sessions') : [okFinding('idle_in_transaction', `No session idle in a transaction longer than ${lowest('idle_in_transaction')}s`)]));
  }

  if (enabled.has('blocked_queries')) {
    const found: Finding[] = [];
    for (const r of rows) {
      if (!r.blocked_by?.length || r.wait_seconds === null) continue;
      const v = judge('blocked_queries', r.wait_seconds, t.blocked_queries);
      if (v.severity === 'ok') continue;
      const s = sessionDetail(r, r.wait_seconds, redact);
      const blockerRow = byPid.get(rootBlocker(r.blocked_by[0], byPid));
      const blocker = blockerRow ? sessionDetail(blockerRow, blockerRow.state_seconds ?? 0, redact) : undefined;
      const by = blocker
        ? `blocked by ${who(blocker)}, ${blocker.state ?? 'unknown state'}: ${oneLine(blocker.query, 100)}`
        : `blocked by pid ${r.blocked_by.join(', ')}`;
      found.push({
        check: 'blocked_queries', severity: v.severity, object: `pid ${r.pid}`, value: s.durationSeconds, threshold: v.threshold,
        message: `${describe(s, 'has been waiting on a lock')} — ${by}`,
        detail: { session: s, blockedBy: r.blocked_by, blocker },
      });
    }
    out.push(...(found.length ? capFindings(found, max, 'sessions') : [okFinding('blocked_queries', `No query waiting on a lock longer than ${lowest('blocked_queries')}s`)]));
  }
  return out;
}

/** Follows a chain of waiters to the session at its head: that is the one to look at (or kill). */
function rootBlocker(pid: number, byPid: Map<number, Row>): number {
  const seen = new Set<number>();
  let current = pid;
  for (;;) {
    const next = byPid.get(current)?.blocked_by?.[0];
    if (next === undefined || seen.has(next)) return current;
    seen.add(current);
    current = next;
  }
}

function finite(n: number): number {
  return Number.isFinite(n) ? n : 1e12;
}
