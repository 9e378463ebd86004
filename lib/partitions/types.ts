/**
 * Shapes shared by catalog, bounds and plan. A bound travels as the text PostgreSQL gave us
 * (reused verbatim in DDL) plus a comparable key: microseconds since the epoch for time keys
 * (a `timestamp`/`date` key counts its wall-clock value as if it were UTC, which keeps order),
 * the integer itself for id keys. `null` stands for MINVALUE/MAXVALUE.
 */

export type KeyKind = 'timestamptz' | 'timestamp' | 'date' | 'integer';

export interface ExistingPartition {
  schema: string;
  name: string;
  isDefault: boolean;
  /** Bound values as pg_get_expr(relpartbound) shows them, unquoted; null for MINVALUE/MAXVALUE/DEFAULT. */
  from: string | null;
  to: string | null;
  fromKey: bigint | null;
  toKey: bigint | null;
  /** pg_class.reltuples; null when never analyzed. */
  estimatedRows: number | null;
  /** Itself partitioned (refused by validation). */
  subPartitioned: boolean;
}

export interface DefaultPartitionRows {
  name: string;
  estimatedRows: number | null;
  /** Smallest and largest key held (null: empty, or not probed). */
  minKey: bigint | null;
  maxKey: bigint | null;
  /** minKey/maxKey were read (so null means empty), not left unknown after a probe timeout. */
  probed: boolean;
}

export interface CatalogSnapshot {
  schema: string;
  table: string;
  keyColumn: string;
  /** format_type() of the key column, e.g. `timestamp with time zone`. */
  keyType: string;
  keyKind: KeyKind;
  partitions: ExistingPartition[];
  defaultPartition: DefaultPartitionRows | null;
  /** Id policies: the largest id in the table; null when empty (or a time policy). */
  maxId: bigint | null;
  /** Relation names in the parent's schema a new partition name could collide with. */
  takenNames: string[];
}

/** One partition-sized slot on the policy's grid. */
export interface Slot {
  from: string;
  to: string;
  fromKey: bigint;
  toKey: bigint;
  /** Local-time parts of the lower bound for naming: YYYY MM DD HH24 MI IYYY IW, or start for ids. */
  label: Record<string, string>;
}

export interface WantedBounds {
  /** The grid from the oldest kept partition (or now) up to premake slots after the current one. */
  slots: Slot[];
  /** Index in slots of the one holding now / the current max id. */
  current: number;
  /** now() (or the current max id) as a key; null for an empty id table (then nothing retires). */
  nowKey: bigint | null;
  /** Partitions whose upper bound is at or below this are past retention; null without retention. */
  cutoffKey: bigint | null;
}
