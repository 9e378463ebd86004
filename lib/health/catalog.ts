/**
 * The health checks pgsteward knows, with the unit their thresholds are written in and the
 * defaults, each justified from the PostgreSQL documentation or the tools we measure against
 * (pghero, check_postgres). This file is pure data: the config schema, the README and the
 * checks themselves all read it, so a default is written down exactly once.
 */
export const CHECK_IDS = [
  'connection',
  'permissions',
  'connections',
  'long_running_queries',
  'idle_in_transaction',
  'blocked_queries',
  'xid_wraparound',
  'sequences',
  'invalid_indexes',
  'replication_slots',
  'replication_lag',
  'cache_hit_ratio',
  'vacuum',
  'prepared_transactions',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export type Unit = 'seconds' | 'percent' | 'bytes' | 'count' | 'yes/no';
export type Severity = 'ok' | 'warning' | 'critical' | 'unknown';

/** Numeric thresholds: a finding is warning at or past `warning`, critical at or past `critical`. */
export interface Thresholds {
  warning?: number;
  critical?: number;
  /** For yes/no conditions (an invalid index exists, a slot is inactive): the severity to raise. */
  severity?: Exclude<Severity, 'ok' | 'unknown'>;
  /** Extra, check-specific knobs (documented per check below). */
  [extra: string]: number | string | undefined;
}

export interface CheckInfo {
  id: CheckId;
  unit: Unit;
  /** `lower` when a smaller value is worse (cache hit ratio). */
  worse: 'higher' | 'lower';
  defaults: Thresholds;
  /** Extra numeric knobs a user may set under health.thresholds.<id>, with their units. */
  extras?: Record<string, Unit>;
  summary: string;
  /** Where the default comes from. */
  source: string;
  /**
   * What the check's query reads: `instance` (cluster-wide views, the same answer from every
   * database of the server: run and alerted once per host:port), `database` (this database
   * only), or `both` (one part each; the family tags its server-wide findings).
   */
  scope: CheckScope;
  /** Why, in one line. */
  scopeWhy: string;
}

export type CheckScope = 'instance' | 'database' | 'both';

const GB = 1024 ** 3;

export const CHECKS: Record<CheckId, CheckInfo> = {
  connection: {
    id: 'connection', unit: 'yes/no', worse: 'higher', defaults: { severity: 'critical' },
    summary: 'pgsteward can connect and authenticate. A database that cannot be reached is itself an alert.',
    source: 'check_postgres `connection` action (critical on failure).',
    scope: 'database', scopeWhy: 'each target is its own connection: its own database, role and credentials.',
  },
  permissions: {
    id: 'permissions', unit: 'yes/no', worse: 'higher', defaults: { severity: 'warning' },
    summary: 'The role pgsteward connects as can see what the checks need (pg_monitor); names the GRANT that is missing.',
    source: 'PostgreSQL docs, "Predefined Roles": pg_monitor reads pg_stat_* views of all sessions.',
    scope: 'database', scopeWhy: 'grants (pg_monitor membership, CONNECT, schema USAGE) belong to the role and database each target connects with.',
  },
  connections: {
    id: 'connections', unit: 'percent', worse: 'higher', defaults: { warning: 80, critical: 95 },
    summary: 'Client connections in use, as a percentage of max_connections minus the slots reserved for superusers (and, on 16+, reserved_connections).',
    source: 'check_postgres `backends` (90% / 95% of max_connections); PostgreSQL docs, "Connections and Authentication" (superuser_reserved_connections).',
    scope: 'instance', scopeWhy: 'pg_stat_activity over all databases against max_connections, a server setting: every database shares the same pool.',
  },
  long_running_queries: {
    id: 'long_running_queries', unit: 'seconds', worse: 'higher', defaults: { warning: 60, critical: 300 },
    summary: 'Active statements running longer than the threshold (autovacuum, replication and pgsteward itself excluded).',
    source: 'pghero `long_running_query_sec` (60 s); check_postgres `query_time`.',
    scope: 'database', scopeWhy: 'the sessions query keeps datname = current_database(): each target answers for its own sessions.',
  },
  idle_in_transaction: {
    id: 'idle_in_transaction', unit: 'seconds', worse: 'higher', defaults: { warning: 300, critical: 1800 },
    summary: 'Sessions idle inside an open transaction: they hold locks and keep VACUUM from removing dead rows.',
    source: 'PostgreSQL docs, idle_in_transaction_session_timeout ("holds locks … prevents vacuum"); check_postgres `txn_idle`.',
    scope: 'database', scopeWhy: 'same sessions query, filtered on current_database().',
  },
  blocked_queries: {
    id: 'blocked_queries', unit: 'seconds', worse: 'higher', defaults: { warning: 30, critical: 120 },
    summary: 'Queries waiting on a lock, with the pid, state and query of the session blocking them.',
    source: 'pghero `blocked_queries`; PostgreSQL docs, pg_blocking_pids() and deadlock_timeout.',
    scope: 'database', scopeWhy: 'waiters are filtered on current_database() (their blockers are shown wherever they are).',
  },
  xid_wraparound: {
    id: 'xid_wraparound', unit: 'count', worse: 'higher', defaults: { warning: 1.0e9, critical: 1.5e9 },
    summary: 'Transaction ID and multixact ID age of each database and of the oldest table: at 2^31 (~2.1 billion) PostgreSQL stops accepting writes.',
    source: 'PostgreSQL docs, "Preventing Transaction ID Wraparound Failures" (autovacuum_freeze_max_age 200M; warnings 40M before the 2^31 limit); check_postgres `txn_wraparound` (1.3e9 / 1.4e9).',
    scope: 'both', scopeWhy: 'pg_database (datfrozenxid/datminmxid of every database) is cluster-wide; the oldest table comes from this database\'s pg_class.',
  },
  sequences: {
    id: 'sequences', unit: 'percent', worse: 'higher', defaults: { warning: 80, critical: 95 },
    summary: 'How much of its range a sequence has used, judged against the owning column type (an int4 column fed by a bigint sequence overflows at 2^31-1).',
    source: 'pghero `sequence_danger` (90%); check_postgres `sequence` (85% / 95%).',
    scope: 'database', scopeWhy: 'pg_sequence and pg_class are per-database catalogs.',
  },
  invalid_indexes: {
    id: 'invalid_indexes', unit: 'yes/no', worse: 'higher', defaults: { severity: 'warning' },
    summary: 'Invalid indexes, left behind by a failed CREATE INDEX CONCURRENTLY: still maintained on every write, never used for reads.',
    source: 'PostgreSQL docs, CREATE INDEX, "Building Indexes Concurrently".',
    scope: 'database', scopeWhy: 'pg_index/pg_class are per-database catalogs.',
  },
  replication_slots: {
    id: 'replication_slots', unit: 'bytes', worse: 'higher', defaults: { severity: 'warning', critical: 10 * GB },
    extras: {},
    summary: 'Inactive replication slots (severity), and WAL each slot retains (warning/critical, bytes); a lost slot is critical.',
    source: 'PostgreSQL docs, "Replication Slots" (slots retain WAL until consumed and can fill the disk); max_slot_wal_keep_size.',
    scope: 'instance', scopeWhy: 'pg_replication_slots is cluster-wide (physical and logical slots alike), and the WAL they retain is the server\'s.',
  },
  replication_lag: {
    id: 'replication_lag', unit: 'seconds', worse: 'higher', defaults: { warning: 30, critical: 300 },
    summary: 'Replay lag of each standby (on a primary), or of this server (on a standby).',
    source: 'PostgreSQL docs, "Monitoring Database Activity", pg_stat_replication.replay_lag; pghero `replication_lag`.',
    scope: 'instance', scopeWhy: 'pg_stat_replication and pg_last_wal_*() describe the server\'s WAL stream, not a database.',
  },
  cache_hit_ratio: {
    id: 'cache_hit_ratio', unit: 'percent', worse: 'lower', defaults: { warning: 90, critical: 80, minBlocks: 10000 },
    extras: { minBlocks: 'count' },
    summary: 'Shared-buffer hit percentage over the interval since the previous run, judged only when at least minBlocks blocks were requested.',
    source: 'pghero `cache_hit_rate_threshold` (99); PostgreSQL docs, "The Cumulative Statistics System" (blks_hit, blks_read).',
    scope: 'database', scopeWhy: 'pg_stat_database row of current_database().',
  },
  vacuum: {
    id: 'vacuum', unit: 'percent', worse: 'higher', defaults: { warning: 20, minDeadTuples: 10000, staleAfter: 604800 },
    extras: { minDeadTuples: 'count', staleAfter: 'seconds' },
    summary: 'Tables whose dead tuples are at least `warning`% of live+dead rows and at least minDeadTuples, or that changed past the autovacuum trigger yet were not vacuumed for staleAfter seconds.',
    source: 'PostgreSQL docs, "The Autovacuum Daemon" (autovacuum_vacuum_threshold 50 + scale_factor 0.2 of the table); pghero `autovacuum_danger`.',
    scope: 'database', scopeWhy: 'pg_stat_user_tables is per database.',
  },
  prepared_transactions: {
    id: 'prepared_transactions', unit: 'seconds', worse: 'higher', defaults: { warning: 60, critical: 600 },
    summary: 'Age of the oldest prepared (two-phase) transaction: it holds locks and the xmin horizon until committed or rolled back.',
    source: 'PostgreSQL docs, PREPARE TRANSACTION ("it is unwise to leave transactions in the prepared state for a long time"); check_postgres `prepared_txns` (1 s).',
    scope: 'database', scopeWhy: 'pg_prepared_xacts is filtered on current_database(): a prepared transaction can only be finished from its own database.',
  },
};

/** Checks whose every finding is server-wide. */
export const INSTANCE_CHECKS: CheckId[] = CHECK_IDS.filter((id) => CHECKS[id].scope === 'instance');

export const SEVERITY_RANK: Record<Severity, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

export function worstSeverity(severities: Iterable<Severity>): Severity {
  let worst: Severity = 'ok';
  for (const s of severities) if (SEVERITY_RANK[s] > SEVERITY_RANK[worst]) worst = s;
  return worst;
}
