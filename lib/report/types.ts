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
  /** An S3 console link for people (the bucket is private). */
  consoleUrl?: string;
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
  statements: { queryid: string; calls: number; costBefore: number; costAfter: number; estimate: 'generic' | 'representative' }[];
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

export interface AdviseReport extends ReportBase {
  advisor: 'advise';
  recommendations: IndexRecommendation[];
  /** The heaviest statements by total execution time (at most TOP_STATEMENTS); absent in older reports. */
  topStatements?: TopStatement[];
  indexFindings: { kind: 'unused' | 'duplicate' | 'redundant' | 'invalid'; index: string; table: string; sizeBytes: number; reason: string; statement: string }[];
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
