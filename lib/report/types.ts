/**
 * The report every advisor produces (schemaVersion 1). Later advisors add fields; none changes
 * these. JSON Schema: docs/report.schema.json.
 */
import type { Finding } from '../health/finding';
import type { Severity } from '../health/catalog';

export type Advisor = 'health' | 'advise' | 'partitions';

export interface Notification {
  /** Alert key: target|check|object. */
  key: string;
  target: string;
  check: string;
  object?: string;
  severity: Severity;
  state: 'firing' | 'resolved';
  reason: 'new' | 'changed' | 'repeat' | 'resolved';
  subject: string;
  /** The finding's message (what a person reads). */
  message: string;
  /** Set when a silence muted this transition: listed, not published. */
  silenced?: { until: string; reason: string };
}

export interface RunError {
  stage: 'config' | 'connect' | 'check' | 'state' | 'report' | 'alert';
  message: string;
  check?: string;
}

export interface ReportLocation {
  /** s3://bucket/key or a local path, per format. */
  json?: string;
  markdown?: string;
  /** The self-contained HTML rendering (issue 6). */
  html?: string;
  /** An S3 console link for people (the bucket is private): the HTML report's object page. */
  consoleUrl?: string;
  /** The target's history page (targets/T/index.html): s3://… or a local path. */
  index?: string;
  /** An S3 console link to that page. */
  indexConsoleUrl?: string;
}

export interface ServerSummary {
  host: string;
  port: number;
  database: string;
  version?: string;
  inRecovery?: boolean;
}

export interface ReportBase {
  schemaVersion: 1;
  advisor: Advisor;
  target: string;
  runId: string;
  startedAt: string;
  durationMs: number;
  server?: ServerSummary;
  notifications: Notification[];
  errors: RunError[];
  location?: ReportLocation;
}

export interface HealthReport extends ReportBase {
  advisor: 'health';
  findings: Finding[];
  summary: { worst: Severity; counts: Record<Severity, number> };
  /** Statements sent to the database in this run. */
  statements: number;
  /** Instance-level checks (server-wide, alerted once per host:port): which target covers this target's server. */
  instanceChecks?: InstanceChecksSection;
}

export interface InstanceChecksSection {
  /** `host:port`: server-wide alerts carry it in place of a target id. */
  server: string;
  /** The target whose report holds the server's findings (this one, or another). */
  coveredBy: string;
  /** The targets known to share the server (config order; run-time ones as they connected). */
  targets: string[];
  /** The checks run once per server (CHECKS[id].scope, and xid_wraparound's per-database rows). */
  checks: string[];
  /** Set when the server's host is only known at run time: other runs may check it too; alerts are still deduplicated by the server state. */
  note?: string;
}

/** One recommended index, as people and machines read it (schema in docs/report.schema.json). */
export interface IndexRecommendation {
  /** schema.name */
  table: string;
  columns: string[];
  /** Per column when not all ascending: 'asc' | 'desc', with ' nulls first|last' when not the default. */
  directions?: string[];
  method: 'btree';
  include?: string[];
  where?: string;
  /** One or more SQL statements, each ending in ';', runnable with psql -f. */
  statement: string;
  sizeBytes: number;
  /** Σ calls × planner-cost reduction, net of write overhead (planner cost units). */
  benefit: number;
  /** Σ calls × mean time × relative cost reduction, over the counters' interval. */
  timeSavedMs: number;
  writeOverhead: number;
  /** `meanTimeMs`: the statement's measured mean execution time this run (what the digest compares once the index exists). */
  statements: { queryid: string; calls: number; costBefore: number; costAfter: number; estimate: 'generic' | 'representative'; meanTimeMs?: number }[];
  /** One sentence a developer understands. */
  explanation: string;
}

/**
 * One of the costliest statements over the counters' interval: what the digest compares night to
 * night (new entries, mean time regressions) and the HTML report charts.
 */
export interface TopStatement {
  /** 64-bit, as a string. */
  queryid: string;
  /** The normalized text, cut to TOP_STATEMENT_TEXT characters. */
  query: string;
  user: string;
  calls: number;
  totalTimeMs: number;
  meanTimeMs: number;
}

/** A previous recommendation found applied: an index on its table whose leading key columns match. */
export interface AppliedRecommendation {
  table: string;
  columns: string[];
  /** The existing index that matches (schema-qualified when not public). */
  index: string;
  /** The statement that was recommended. */
  statement: string;
  /** startedAt of the report that recommended it. */
  recommendedAt: string;
  /** Mean execution time of the statements it was for: before (previous report) and now (this run). */
  statements: { queryid: string; beforeMs?: number; afterMs?: number; after?: 'below-min-mean-time' | 'not-seen' }[];
}

export interface AdviseReport extends ReportBase {
  advisor: 'advise';
  /** Set when the target is a hot standby: its statistics cover only the queries run on it (lib/advisor/standby.ts). */
  standby?: string;
  recommendations: IndexRecommendation[];
  /** The heaviest statements by total execution time (at most TOP_STATEMENTS); absent in older reports. */
  topStatements?: TopStatement[];
  indexFindings: { kind: 'unused' | 'duplicate' | 'redundant' | 'invalid'; index: string; table: string; sizeBytes: number; reason: string; statement: string }[];
  /** Recommendations of the previous report whose index now exists, with the measured effect; absent when none. */
  applied?: AppliedRecommendation[];
  skipped: { queryid?: string; query: string; reason: string; detail?: string }[];
  summary: {
    recommendations: number;
    indexFindings: number;
    /** Statements planned. */
    analysed: number;
    candidates: number;
    whatIfCalls: number;
    whatIf: 'hypopg' | 'trial';
    budgetBytes: number;
    totalSizeBytes: number;
    timeSavedMs: number;
    /** Whether the ranking used the interval since the previous run or cumulative counters. */
    counters: 'interval' | 'cumulative';
    since: string | null;
    note?: string;
  };
  statements: number;
}

export type PartitionCheck =
  | 'default_partition_rows' | 'missing_future_partitions' | 'lock_timeout' | 'policy_error' | 'gap'
  | 'maintenance_failed' | 'concurrent_run' | 'archive_not_implemented';

/** One table (one policy) in a partitions run; `table` is the policy's table as the config wrote it. */
export interface PartitionTableResult {
  table: string;
  status: 'ok' | 'failed' | 'skipped';
  partitionsBefore: number;
  partitionsAfter: number;
  /** Consecutive failed runs of this table, this one included (0 when it did not fail). */
  consecutiveFailures?: number;
  error?: string;
  /** Where the table stands on its key axis, as comparable keys in decimal (µs since the epoch for time keys, a timestamp/date's wall clock read as UTC; the id itself for id keys). For the HTML timeline. */
  axis?: { kind: 'time' | 'id'; now: string | null; retentionCutoff: string | null };
}

export interface PartitionAction {
  table: string;
  action: 'create' | 'attach' | 'detach' | 'drop' | 'archive';
  partition: string;
  /** The exact statements, `;`-separated, in the order they run (each step is one transaction). */
  sql: string;
  status: 'done' | 'planned' | 'failed' | 'skipped';
  durationMs: number;
  /** Attempts made (lock timeouts are retried). */
  attempts?: number;
  error?: string;
}

export interface PartitionFinding {
  table: string;
  check: PartitionCheck;
  severity: Severity;
  message: string;
}

export interface PartitionsReport extends ReportBase {
  advisor: 'partitions';
  /** Nothing was changed: actions are `planned`, with their SQL. */
  dryRun: boolean;
  tables: PartitionTableResult[];
  actions: PartitionAction[];
  /** Every partition of every maintained table after the run (before it, in a dry run). */
  partitions: { table: string; partition: string; from: string | null; to: string | null; fromKey?: string | null; toKey?: string | null }[];
  findings: PartitionFinding[];
  summary: { tables: number; failed: number; skipped: number; created: number; retired: number; findings: number };
  statements: number;
}

export type Report = HealthReport | AdviseReport | PartitionsReport;
