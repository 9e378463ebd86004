/**
 * Built-in defaults, applied under `defaults` and each target (objects merge key by key).
 * Every value here is documented in README's configuration reference.
 */
import { CHECKS, CHECK_IDS, CheckId, Thresholds } from '../health/catalog';

export const HEALTH_DEFAULTS = {
  thresholds: Object.fromEntries(CHECK_IDS.map((id) => [id, { ...CHECKS[id].defaults }])) as Record<CheckId, Thresholds>,
  disabled: [] as CheckId[],
  ignore: {} as Partial<Record<CheckId, string[]>>,
  /** Session query texts in findings have their literals replaced by `?` (they may hold personal data). */
  redactLiterals: true,
  /** Sessions listed per check (worst first); the rest are counted in the message. */
  maxSessionsPerCheck: 10,
  /** Every health statement is cancelled after this (PostgreSQL statement_timeout). */
  statementTimeout: '10s',
  /**
   * Never queue behind the application's locks: a check that would wait longer than this
   * fails alone (its finding is `unknown`) instead of stalling the run (lock_timeout).
   */
  lockTimeout: '1s',
  /**
   * A run whose verdicts (check, object, severity) match the last written report's and that has
   * no alert to send writes no report until this long after that one; its state still records
   * the run (the missed-run watchdog reads it). Every 5 minutes a report is 7 S3 PUTs: for 200
   * databases $63 a month of requests that say "same as before" (bench:fleet); hourly keeps
   * a full report with its numbers each hour for $1. "0s" writes every run.
   */
  unchangedReportEvery: '1h',
};

export const ADVISE_CONFIG_DEFAULTS = {
  /** One-off statements are not worth an index. */
  minCalls: 2,
  /** An index cannot save much on statements faster than this (ms). */
  minMeanTimeMs: 1,
  /** Each analysed statement costs several EXPLAINs. */
  top: 200,
  /** A shorter interval since the previous snapshot holds too little to rank by. */
  minInterval: '1h',
  maxIndexesPerTable: 4,
  whatIf: 'hypopg' as 'hypopg' | 'trial',
  trialMaxTableSize: '1GB',
  unusedMinSize: '1MB',
  /** Dexter's rule: a statement's cost must at least halve. */
  minImprovement: 0.5,
  /** A recommendation still open is re-sent weekly, not every night. */
  repeatInterval: '7d',
  /** Planning hundreds of statements needs more than a health check's 10 s. */
  statementTimeout: '30s',
  lockTimeout: '1s',
};

export const CONNECTION_DEFAULTS = {
  /** libpq's connect_timeout equivalent; a dead host must not eat the Lambda's whole timeout. */
  connectTimeout: '10s',
};

export const ALERT_DEFAULTS = {
  /** Re-notify a finding still firing after this long (Alertmanager's repeat_interval is 4h). */
  repeatInterval: '4h',
  /** Consecutive non-ok runs before the first notification (Alertmanager's `for`, counted in runs). */
  for: 1,
};

export const REPORT_DEFAULTS = {
  prefix: 'pgsteward/',
};

export const STATE_DEFAULTS = {
  prefix: 'pgsteward-state/',
};

export const DEPLOY_DEFAULTS = {
  healthSchedule: 'rate(5 minutes)',
  /** Nightly, when the workload of the day is in pg_stat_statements. */
  adviseSchedule: 'cron(0 3 * * ? *)',
  timezone: 'UTC',
  /**
   * One health run of one target peaked at 97 MB RSS (bench:fleet, 50 databases: p50 and max),
   * so 256 MB leaves 2.6x headroom for bigger catalogs and longer session lists.
   */
  memorySize: 256,
  /**
   * A run took 198 ms at p50 and 376 ms at worst against a local server (bench:fleet); a remote
   * one adds a dozen round trips. 30 s covers the 10 s connect timeout plus a slow statement or
   * two (each capped by statement_timeout, 10 s), and keeps a fleet run of 50 targets, 10 at a
   * time, inside an Express workflow's 5 minutes even if every target hangs to its timeout.
   */
  timeout: '30s',
  /**
   * advise parses up to `top` statements with the WASM parser, keeps a pg_stat_statements
   * snapshot (up to pg_stat_statements.max rows with their texts) and plans each statement
   * several times; Lambda gives CPU in proportion to memory, so 1024 MB is also ~4x health's CPU.
   */
  adviseMemorySize: 1024,
  /**
   * One target per invocation: a few thousand EXPLAINs (~1 ms each plus the network round trip;
   * bench:fleet's small workload took 297 ms, bench:advisor's TPC-H 3-4 s), 30 s per statement at
   * worst: 10 minutes, with Lambda's 15-minute cap above it. Peak memory was 150 MB; the 1 GB is
   * for the CPU Lambda gives with it.
   */
  adviseTimeout: '10m',
  /**
   * Hourly: a daily or hourly policy gets its next partition well before it is needed (premake
   * partitions ahead), and a missed run is caught up by the next one.
   */
  partitionsSchedule: 'rate(1 hour)',
  /**
   * A partitions run reads a small catalog and sends short DDL statements on empty tables, one
   * table at a time: light work, but node-pg, the SDK clients and the report comfortably fit
   * 512 MB, which also gives twice health's CPU for the JSON/Markdown rendering.
   */
  partitionsMemorySize: 512,
  /**
   * Each step waits at most its lock_timeout (2 s by default, retried a few times) and a table
   * takes a few steps per partition to create or retire; 5 minutes covers one target's catch-up
   * of dozens of tables (bench:partitions: 100 tables from scratch in 10 s), and stays well inside
   * the hourly interval.
   */
  partitionsTimeout: '5m',
  /** Reports are a history to compare against, not an archive; a quarter covers most trend questions. */
  reportsExpireAfterDays: 90,
  /** Function logs are for debugging a recent run; findings live on in the reports. */
  logRetentionDays: 30,
};
