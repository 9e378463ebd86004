/**
 * What the resolve stage hands on: per base table (catalog oid), how the statement uses its
 * columns. Column names are exactly the catalog's. Views, CTEs and subqueries are looked
 * through; a partitioned parent stays the parent (the advisor indexes parents).
 */
import type { CatalogRelation } from './types';
import type { StatementKind } from './parse-types';

export interface OrderColumn {
  column: string;
  direction: 'asc' | 'desc';
  nulls: 'first' | 'last';
}

export interface TableUsage {
  /** `col = $1` (or a constant). */
  equality: string[];
  /** `<, <=, >, >=, BETWEEN`. */
  range: string[];
  /** `IN (…)`, `= ANY($1)`, `IN (SELECT …)`. */
  in: string[];
  isNull: string[];
  isNotNull: string[];
  /** `LIKE 'abc%'` (certain) or `LIKE $1` (the pattern may or may not have a fixed prefix). */
  prefixLike: { column: string; certain: boolean }[];
  /** Equality with another relation's column (JOIN … ON / USING, a.x = b.y, correlated subqueries). */
  joinColumns: string[];
  /**
   * Compared with a value in every branch of an OR (`(a = $1 and …) or (a = $2 and …)`): an index
   * on one serves each branch, combined in a BitmapOr. Optional: absent means none.
   */
  orColumns?: string[];
  /**
   * An ORDER BY made entirely of this table's columns (an index can only supply an order it
   * holds whole); empty otherwise.
   */
  orderBy: OrderColumn[];
  /** The query scope that reads this table (or whose ORDER BY it serves) has a LIMIT. */
  limit: boolean;
  groupBy: string[];
  /** Every column the statement touches on this table; 'all' after `*` or a whole-row reference. */
  columnsRead: string[] | 'all';
  /** UPDATE … SET targets (an index on them costs HOT updates). */
  columnsWritten: string[];
  /** Parameter-free conditions: candidate partial-index predicates. `sql` uses the bare column name. */
  constantPredicates: { column: string; sql: string }[];
}

/** One reference to the table (a FROM item, possibly inside a view or CTE): its own usage. */
export interface TableAccess extends TableUsage {
  /** How the reference was reached: view and CTE names, outermost first (empty when direct). */
  via: string[];
}

export interface ResolvedTable extends TableUsage {
  oid: number;
  schema: string;
  name: string;
  kind: CatalogRelation['kind'];
  /** When the statement names a partition directly: its parent's oid. */
  partitionOf?: number;
  /** Per reference, for self-joins and tables reached twice; the fields above merge them. */
  accesses: TableAccess[];
}

/** A parameter compared with a base column: where representative values come from. */
export interface ParamUse {
  param: number;
  schema: string;
  table: string;
  column: string;
  kind: 'equality' | 'range' | 'in';
  /** For ranges: the operator, with the column on the left (`col >= $1` → '>='). */
  op?: '<' | '<=' | '>' | '>=' | 'between';
  /** Every parameter of the same compared value (`$2 + interval $3`): the first is the bound. */
  group: number[];
}

export interface ResolvedStatement {
  kind: StatementKind;
  /** Parameters compared with base columns, in the order they appear. */
  paramUses: ParamUse[];
  tables: ResolvedTable[];
  /**
   * Types for PREPARE p(type, …): the statement's own casts and typed literals, then the type
   * of the column a bare parameter (or parameter arithmetic, `$4 - $5`) is compared with.
   */
  paramTypes: Map<number, string>;
  /** Names that could not be attributed (ambiguous, unknown, missing from the catalog), for people. */
  notes: string[];
}
