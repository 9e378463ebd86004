/** How a session from pg_stat_activity is shown in findings (pid, who, how long, what). */
import { redactLiterals } from './redact';
import type { SessionDetail } from './finding';
import { humanSeconds } from './judge';

export interface SessionRow {
  pid: number;
  usename: string | null;
  application_name: string | null;
  client_addr: string | null;
  state: string | null;
  query: string | null;
}

const MAX_QUERY_CHARS = 500;

export function sessionDetail(row: SessionRow, durationSeconds: number, redact: boolean): SessionDetail {
  let query = row.query ?? null;
  if (query && redact) query = redactLiterals(query);
  if (query && query.length > MAX_QUERY_CHARS) query = `${query.slice(0, MAX_QUERY_CHARS)}…`;
  return {
    pid: row.pid,
    user: row.usename,
    application: row.application_name || null,
    clientAddr: row.client_addr,
    state: row.state,
    durationSeconds: Math.round(durationSeconds),
    query,
  };
}

/** "pid 4242 (alice, psql)". */
export function who(s: SessionDetail): string {
  const parts = [s.user, s.application].filter(Boolean).join(', ');
  return `pid ${s.pid}${parts ? ` (${parts})` : ''}`;
}

export function oneLine(query: string | null, max = 160): string {
  if (!query) return '(query not visible)';
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export function describe(s: SessionDetail, what: string): string {
  return `${who(s)} ${what} for ${humanSeconds(s.durationSeconds)}: ${oneLine(s.query)}`;
}
