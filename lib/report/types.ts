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

export type Report = HealthReport;
