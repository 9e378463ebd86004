/**
 * What the parse stage knows about a statement without the catalog: per query scope, the
 * relations it names and what it does with their columns. Names are exactly as PostgreSQL's
 * parser yields them (unquoted folded to lower case, quoted kept), and a column is still only a
 * name with an optional qualifier: resolve.ts decides which relation each one belongs to.
 */

export type StatementKind = 'select' | 'update' | 'delete' | 'insert' | 'other';

/** A column as written: `c`, `t.c`, `s.t.c` (fields before the column name). */
export interface ColumnName {
  /** The table name or alias it is qualified with. */
  qualifier?: string;
  /** With a three-part name, the schema of the qualifier. */
  schema?: string;
  name: string;
}

/** What a predicate compares the column with. */
export type ValueKind =
  /** Only parameters and constants: fixed for one execution (`$1`, `date $1 - interval $2`, `now()`). */
  | 'param'
  /** No parameter at all (`'active'`, `42`): fixed across executions, fit for a partial index. */
  | 'const'
  /** Columns of other relations (a join, or a correlated outer reference). */
  | 'columns'
  /** A scalar subquery, or the rows of an IN (SELECT …). */
  | 'subquery';

export interface Value {
  kind: ValueKind;
  /** Columns the value mentions (kind 'columns'). */
  columns: ColumnName[];
  /** Parameters it mentions. */
  params: number[];
  /**
   * Only parameters, constants and operators, no cast or function (`$1`, `$4 - $5`): the server
   * may fail to infer such parameters' types ("operator is not unique: unknown - unknown"), and
   * the column's type is the right one for them.
   */
  untyped: boolean;
}

export type RangeOp = '<' | '<=' | '>' | '>=' | 'between';

export type Predicate =
  | { kind: 'equality'; column: ColumnName; value: Value }
  | { kind: 'range'; column: ColumnName; op: RangeOp; value: Value }
  /** `IN (…)`, `= ANY($1)`, `IN (SELECT …)`. */
  | { kind: 'in'; column: ColumnName; value: Value }
  | { kind: 'isNull'; column: ColumnName }
  | { kind: 'isNotNull'; column: ColumnName }
  /** `LIKE 'abc%'` (certain) or `LIKE $1` (possible: the pattern may start with a wildcard). */
  | { kind: 'prefixLike'; column: ColumnName; certain: boolean }
  /** `a.x = b.y`, JOIN … ON, JOIN … USING. With USING, `leftRefs`/`rightRefs` bound the lookup. */
  | { kind: 'join'; left: ColumnName; right: ColumnName; leftRefs?: number[]; rightRefs?: number[] }
  /** NATURAL JOIN: the columns the two sides share, which only the catalog knows. */
  | { kind: 'naturalJoin'; leftRefs: number[]; rightRefs: number[] };

/**
 * A parameter-free condition on one column, rebuilt as SQL around the column
 * (`prefix + column + suffix`): the resolver puts in the catalog's spelling of the name.
 */
export interface ConstantPredicate {
  column: ColumnName;
  prefix: string;
  suffix: string;
}

/** A condition no index can serve as written: an OR, a NOT, a function of the column… */
export interface NonSargable {
  reason: 'or' | 'not' | 'expression' | 'operator';
  columns: ColumnName[];
}

export interface OrderItem {
  column: ColumnName;
  direction: 'asc' | 'desc';
  /** Explicit, with PostgreSQL's defaults filled in (NULLS LAST for ASC, FIRST for DESC). */
  nulls: 'first' | 'last';
}

/** An item of a FROM list (also an UPDATE/DELETE target, USING and UPDATE … FROM items). */
export type RelationRef =
  /** A name: a table, view, partitioned table, or a CTE; the resolver tells which. */
  | { id: number; kind: 'relation'; schema?: string; name: string; alias?: string; columnAliases?: string[] }
  /** `(SELECT …) AS alias`, analysed as scope `scope`. */
  | { id: number; kind: 'subquery'; alias?: string; columnAliases?: string[]; scope: number }
  /** A function or anything else whose columns the catalog does not describe. */
  | { id: number; kind: 'opaque'; alias?: string; columnAliases?: string[] };

/** One output column of a scope (its target list), for mapping through subqueries and views. */
export interface Output {
  /** The output name (`AS` alias, else the column or function name, else `?column?`). */
  name: string;
  /** When the output is a plain column reference. */
  column?: ColumnName;
  /** Columns the expression reads. */
  reads: ColumnName[];
  /** `*` or `t.*`: expands to the columns of the scope's relations. */
  star?: { qualifier?: string };
}

export interface ParamHint {
  column: ColumnName;
  params: number[];
  /** `= ANY($1)`: the parameter is an array of the column's type. */
  array: boolean;
}

export type ScopeRole = 'main' | 'cte' | 'from' | 'sublink' | 'branch';

export interface CteDef {
  name: string;
  scope: number;
  columnAliases?: string[];
  materialized: 'default' | 'always' | 'never';
  recursive: boolean;
}

export interface QueryScope {
  id: number;
  role: ScopeRole;
  /** A CTE may hold an UPDATE/DELETE/INSERT … RETURNING. */
  kind: StatementKind;
  /** The enclosing scope: outer references and CTE names are looked up there. */
  parent?: number;
  /** CTEs of this scope's WITH, visible here and in every scope below. */
  ctes: CteDef[];
  relations: RelationRef[];
  predicates: Predicate[];
  /**
   * Comparisons inside the branches of a top-level OR (parse-or.ts): they narrow no single
   * index scan, but say which column each parameter is compared with (representative values).
   */
  branchPredicates: Predicate[];
  /** Columns every branch of such an OR compares with a value: a BitmapOr can serve them. */
  orColumns: ColumnName[];
  constants: ConstantPredicate[];
  nonSargable: NonSargable[];
  orderBy: OrderItem[];
  groupBy: ColumnName[];
  /** Columns read outside the target list (WHERE, JOIN, ORDER/GROUP BY, HAVING, SET values…). */
  reads: ColumnName[];
  outputs: Output[];
  /** UNION / INTERSECT / EXCEPT: the branch scopes; the outputs are the branches' outputs. */
  branches?: number[];
  /**
   * `col <op> <untyped parameters>` anywhere in the scope (also under OR or CASE): the server may
   * not infer those parameters' types, the column's type is the one to PREPARE them with.
   */
  paramHints: ParamHint[];
  hasLimit: boolean;
  /** `LIMIT $n` / `OFFSET $n` parameters: planned with a typical page, not "no limit". */
  limitParams: number[];
  offsetParams: number[];
  /**
   * A FROM subquery, CTE or view body: its target list is read only as far as the outer query
   * reads its outputs (a wide view queried for one column reads one column).
   */
  lazyOutputs: boolean;
  /** GROUP BY, DISTINCT or a set operation: rows are not the base rows, so order does not map through. */
  aggregates: boolean;
  /** UPDATE … SET columns (of the target relation, ref id `target`). */
  writes?: { target: number; columns: string[] };
}

export interface ParsedStatement {
  ok: true;
  kind: StatementKind;
  scopes: QueryScope[];
  /** The scope id of the statement itself. */
  main: number;
  /** The text for PREPARE (typed parameters rewritten as casts). */
  text: string;
  paramTypes: Map<number, string>;
  /** The fields of normalized interval literals (`interval $3 year` → 3 → "year"). */
  intervalFields: Map<number, string>;
  paramCount: number;
  /** Bare CASE / COALESCE results with nothing typed beside them (parse-result-params.ts). */
  untypedResults: number[];
}

export type ParseFailureReason = 'unparsable' | 'truncated' | 'multiple-statements' | 'empty' | 'unsupported';

export interface ParseFailure {
  ok: false;
  reason: ParseFailureReason;
  message: string;
  /** Where the parser stopped, as an index into the text. */
  position?: number;
}

export type ParseOutcome = ParsedStatement | ParseFailure;
