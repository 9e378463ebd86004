/**
 * The nightly digest as data: what one target's advise run has to say, built by build.ts from
 * reports and state, rendered by email.ts and chat.ts. Every list may be empty; renderers omit
 * an empty section rather than saying "none".
 */
import type { Severity } from '../health/catalog';
import type { AppliedRecommendation, ReportLocation, TopStatement } from '../report/types';

/** One of the things to do first, with the SQL that does it. */
export interface TodoItem {
  kind: 'create' | 'invalid' | 'duplicate' | 'redundant' | 'unused';
  /** e.g. "Create an index on public.orders (customer_id, created_at)". */
  title: string;
  /** Why, in one sentence with the figure that ranks it. */
  why: string;
  sql: string;
  /** The text of the heaviest statement it is for, when the report has it. */
  forStatement?: string;
}

export interface Regression {
  queryid: string;
  query: string;
  beforeMs: number;
  afterMs: number;
  /** afterMs / beforeMs. */
  factor: number;
}

export interface AppliedEffect extends AppliedRecommendation {
  /** Statement texts by queryid, when a report has them. */
  texts: Record<string, string>;
}

export interface TableCoverage {
  table: string;
  status: 'ok' | 'at-risk' | 'failed';
  /** e.g. "4 partitions ahead, up to 2024-07-01 (29 days)". */
  ahead: string;
  /** Findings and errors that make it at risk or failed. */
  problems: string[];
}

export interface FiringAlert {
  check: string;
  object?: string;
  severity: Severity;
  /** ISO time it started firing. */
  since: string;
  message: string;
}

export interface Digest {
  target: string;
  /** ISO time of the advise run. */
  runAt: string;
  todo: TodoItem[];
  /** Things to do beyond the first ones (listed in the report). */
  moreTodo: number;
  /** Whether there was a previous report to compare with. */
  compared: boolean;
  applied: AppliedEffect[];
  regressed: Regression[];
  newStatements: TopStatement[];
  partitions?: { asOf: string; tables: TableCoverage[] };
  health: FiringAlert[];
  /** Errors of this run people should know about (e.g. advise could not connect). */
  problems: string[];
  location?: ReportLocation & { missing?: string };
}
