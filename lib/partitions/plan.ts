/**
 * The partition plan, PURE: (policy, catalog snapshot, wanted grid) → what to create, what is
 * missing, what to retire, and whether the DEFAULT partition holds rows for a range to create.
 * Nothing here touches the database; apply.ts carries a plan out.
 *
 * Guarantees (kept from pg_partman 4.7, with the differences noted):
 * - After a run, the slot holding now (or the current max id) and `premake` slots after it
 *   exist. Counted from now even on a quiet table: pg_partman 4.x counts from the newest data
 *   unless infinite_time_partitions = true, which leaves a quiet table without partitions.
 * - Never creates over an existing partition: a slot partly covered by a partition of another
 *   width (hand-made) is left alone and reported as a gap, since PostgreSQL refuses overlapping
 *   bounds (https://www.postgresql.org/docs/current/sql-createtable.html, PARTITION OF).
 * - Retires by the REAL upper bound: a partition goes when every value it can hold is older than
 *   the retention (upper bound ≤ now − retention; pg_partman: partition start + interval <
 *   now − retention), and never the partition holding now / the max id, or a newer one.
 */
import { partitionName } from './naming';
import { PartitionPolicy, RetentionMode } from './policy';
import { CatalogSnapshot, ExistingPartition, Slot, WantedBounds } from './types';

export interface PlannedPartition {
  name: string;
  from: string;
  to: string;
  fromKey: bigint;
  toKey: bigint;
}

export interface Gap {
  from: string;
  to: string;
  /** missing: nothing covers the slot; partly-covered: partitions of another width cover part of it. */
  reason: 'missing' | 'partly-covered';
  /** Partitions overlapping the slot (partly-covered only). */
  overlaps: string[];
  /** The slot is in the premake window (now … now + premake): inserts there fail or go to DEFAULT. */
  needed: boolean;
}

export interface Retirement {
  partition: string;
  schema: string;
  /** The real upper bound that put it past retention. */
  to: string;
  action: RetentionMode;
}

export interface DefaultRowsReport {
  partition: string;
  estimatedRows: number | null;
  /** Partitions to create whose range the default partition may hold rows in: attaching them fails until the rows move. */
  ranges: string[];
}

export interface PartitionPlan {
  create: PlannedPartition[];
  gaps: Gap[];
  retire: Retirement[];
  defaultRows: DefaultRowsReport | null;
  /** The slot holding now / the max id (null: the grid did not reach it). */
  current: { from: string; to: string } | null;
}

type Range = { lo: bigint | null; hi: bigint | null; name: string };

const overlaps = (r: Range, s: Slot) => (r.lo === null || r.lo < s.toKey) && (r.hi === null || r.hi > s.fromKey);

/** True when the ranges, together, cover [from, to) with no hole. */
function covers(ranges: Range[], from: bigint, to: bigint): boolean {
  const sorted = [...ranges].sort((a, b) => (a.lo === null ? -1 : b.lo === null ? 1 : a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  let reached = from;
  for (const r of sorted) {
    if (r.lo !== null && r.lo > reached) return false;
    if (r.hi === null) return true;
    if (r.hi > reached) reached = r.hi;
    if (reached >= to) return true;
  }
  return reached >= to;
}

function retirements(policy: PartitionPolicy, partitions: ExistingPartition[], wanted: WantedBounds): Retirement[] {
  const { cutoffKey, nowKey } = wanted;
  if (!policy.retention || cutoffKey === null || nowKey === null) return [];
  return partitions
    .filter((p) => !p.isDefault && p.toKey !== null)
    // `to ≤ nowKey` keeps the partition holding now (its upper bound is past now) and all newer ones,
    // even with a retention of zero.
    .filter((p) => p.toKey! <= cutoffKey && p.toKey! <= nowKey)
    .sort((a, b) => (a.toKey! < b.toKey! ? -1 : a.toKey! > b.toKey! ? 1 : 0))
    .map((p) => ({ partition: p.name, schema: p.schema, to: p.to!, action: policy.retentionMode }));
}

export function planPartitions(policy: PartitionPolicy, snap: CatalogSnapshot, wanted: WantedBounds): PartitionPlan {
  const retire = retirements(policy, snap.partitions, wanted);
  const retired = new Set(retire.map((r) => `${r.schema}.${r.partition}`));
  const kept: Range[] = snap.partitions
    .filter((p) => !p.isDefault && !retired.has(`${p.schema}.${p.name}`))
    .map((p) => ({ lo: p.fromKey, hi: p.toKey, name: p.name }));
  // Gaps are only looked for from the oldest partition that stays: older slots were retired or never wanted.
  const oldestKept = kept.reduce<bigint | null | undefined>((m, r) => {
    const lo = r.lo ?? r.hi;
    return lo === null ? m : m === undefined || m === null || lo < m ? lo : m;
  }, undefined);
  const current = wanted.current >= 0 ? wanted.current : wanted.slots.length;
  const taken = new Set([...snap.takenNames, ...snap.partitions.filter((p) => p.schema === snap.schema).map((p) => p.name)]);

  const create: PlannedPartition[] = [];
  const gaps: Gap[] = [];
  wanted.slots.forEach((slot, i) => {
    const needed = i >= current;
    if (!needed && (oldestKept === undefined || oldestKept === null || slot.fromKey < oldestKept)) return;
    if (!needed && wanted.cutoffKey !== null && slot.toKey <= wanted.cutoffKey) return;
    const over = kept.filter((r) => overlaps(r, slot));
    if (over.length && covers(over, slot.fromKey, slot.toKey)) return;
    if (over.length) {
      gaps.push({ from: slot.from, to: slot.to, reason: 'partly-covered', overlaps: over.map((r) => r.name), needed });
      return;
    }
    // A wholly uncovered slot between the oldest kept partition and now is a gap to fill (rows
    // for it would otherwise land in the DEFAULT partition, or fail): created like a future one.
    const name = partitionName(policy.naming, snap.table, slot.label, taken);
    taken.add(name);
    create.push({ name, from: slot.from, to: slot.to, fromKey: slot.fromKey, toKey: slot.toKey });
  });

  return {
    create,
    gaps,
    retire,
    defaultRows: defaultRows(snap, create),
    current: wanted.current >= 0 ? { from: wanted.slots[wanted.current].from, to: wanted.slots[wanted.current].to } : null,
  };
}

/**
 * Attaching a partition scans the DEFAULT partition and fails if it holds rows of the new range
 * (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-ATTACH-PARTITION).
 * With the probed min/max key we name the ranges at risk; with only an estimate, every range.
 */
function defaultRows(snap: CatalogSnapshot, create: PlannedPartition[]): DefaultRowsReport | null {
  const d = snap.defaultPartition;
  if (!d || !create.length) return null;
  let ranges: PlannedPartition[];
  if (d.minKey !== null && d.maxKey !== null) {
    ranges = create.filter((c) => c.fromKey <= d.maxKey! && c.toKey > d.minKey!);
  } else if (d.probed) {
    return null;
  } else if (d.estimatedRows !== null && d.estimatedRows > 0) {
    ranges = create;
  } else {
    return null;
  }
  return ranges.length ? { partition: d.name, estimatedRows: d.estimatedRows, ranges: ranges.map((r) => r.name) } : null;
}
