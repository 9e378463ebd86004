/**
 * Contracts between the index advisor's stages (collect → parse → resolve → plan → candidates →
 * what-if → select). Each stage is its own file; these types are what passes between them.
 */

/** One statement from pg_stat_statements, with the counters the ranking uses. */
export interface CollectedStatement {
  /** 64-bit: kept as a string (node-pg returns int8 as text). */
  queryid: string;
  /** The normalized text ($1, $2… in place of constants). */
  query: string;
  /** The role that ran it (pg_stat_statements.userid → rolname); planning uses its search_path. */
  user: string;
  calls: number;
  totalExecMs: number;
  meanExecMs: number;
  rows: number;
  sharedBlksHit: number;
  sharedBlksRead: number;
  /** Whether counters are the difference since the previous snapshot, or cumulative since reset. */
  source: 'interval' | 'cumulative';
}

export type SkipReason =
  | 'utility'
  | 'pgsteward'
  | 'catalog-only'
  | 'truncated'
  | 'below-min-calls'
  | 'below-min-mean-time'
  | 'beyond-top'
  | 'unparsable'
  | 'unsupported'
  | 'plan-failed';

export interface SkippedStatement {
  queryid?: string;
  /** First characters of the text, for people. */
  query: string;
  reason: SkipReason;
  detail?: string;
}

/** A relation as the catalog knows it (what the resolver needs; loaded once per run). */
export interface CatalogRelation {
  oid: number;
  schema: string;
  name: string;
  kind: 'table' | 'partitioned' | 'view' | 'matview' | 'foreign' | 'other';
  columns: CatalogColumn[];
  /** For views and materialized views: pg_get_viewdef(oid, true). */
  viewDefinition?: string;
  /** For partitions: the partitioned parent's oid. */
  parentOid?: number;
  /** Planner statistics from pg_class. */
  reltuples: number;
  relpages: number;
}

export interface CatalogColumn {
  name: string;
  /** format_type(atttypid, atttypmod), e.g. "timestamp with time zone". */
  type: string;
  notNull: boolean;
  attnum: number;
}

/** Name lookup the way PostgreSQL does it: qualified, or through the search_path. */
export interface Catalog {
  lookup(schema: string | undefined, name: string): CatalogRelation | undefined;
  byOid(oid: number): CatalogRelation | undefined;
}
