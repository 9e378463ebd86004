/**
 * The wanted grid of partition bounds. Time grids are computed BY POSTGRESQL, in one statement:
 * it does calendar and time-zone arithmetic right (months of 28-31 days, 23- and 25-hour days at
 * DST changes: https://www.postgresql.org/docs/current/functions-datetime.html, "When adding an
 * interval value to … a timestamp with time zone value, the days field advances the date … and
 * the time of day stays the same"). Id grids are integer arithmetic here.
 *
 * Semantics per key type (documented for users in the README's partitions section):
 * - timestamptz, from a day up: bounds are local midnights in `timezone`: the series runs on the
 *   local wall clock (`now() at time zone tz`, a timestamp without zone) and each bound is
 *   converted back with `at time zone tz`, so a month in Europe/Paris starts at 00:00 local
 *   whether that is 22:00 or 23:00 UTC.
 * - timestamptz, below a day: absolute instants aligned to the Unix epoch, so an hour is always
 *   3600 s and a DST change never makes an empty or a two-hour partition.
 * - timestamp (without time zone): its values are taken as wall-clock times in `timezone`; the
 *   grid is on that wall clock, with no conversion (a timestamp has no DST).
 * - date: the same grid, cast to date.
 * Alignment is fixed, so every run computes the same grid: days and weeks count from Monday
 * 2000-01-03 (one week = an ISO week, Monday first, like pg_partman's date_trunc('week')),
 * months from January (3 months = calendar quarters), years from year 0.
 */
import { Db } from '../pg';
import { intervalText, TimeUnit } from './interval';
import { PartitionPolicy } from './policy';
import { CatalogSnapshot, KeyKind, Slot, WantedBounds } from './types';

/** How far back the grid goes to find gaps, in slots (5000 hours ≈ 7 months; 5000 days ≈ 13 years). */
export const MAX_SLOTS_BACK = 5000;

const STEP: Record<TimeUnit, string> = {
  minute: 'make_interval(mins => $2)',
  hour: 'make_interval(hours => $2)',
  day: 'make_interval(days => $2)',
  week: 'make_interval(weeks => $2)',
  month: 'make_interval(months => $2)',
  year: 'make_interval(years => $2)',
};
const SECONDS: Partial<Record<TimeUnit, number>> = { minute: 60, hour: 3600 };

/** The grid line at or before local timestamp `x`. */
function alignLocal(unit: TimeUnit, x: string): string {
  switch (unit) {
    case 'minute':
    case 'hour':
      return `(timestamp 'epoch' + make_interval(secs => floor(extract(epoch from ${x}) / ($2 * ${SECONDS[unit]})) * ($2 * ${SECONDS[unit]})))`;
    case 'day':
      return `((date '2000-01-03' + (floor((${x}::date - date '2000-01-03') / $2::numeric) * $2)::int)::timestamp)`;
    case 'week':
      return `((date '2000-01-03' + (floor((${x}::date - date '2000-01-03') / (7 * $2)::numeric) * 7 * $2)::int)::timestamp)`;
    case 'month':
      return `(date_trunc('year', ${x}) + make_interval(months => ((extract(month from ${x})::int - 1) / $2) * $2))`;
    case 'year':
      return `make_timestamp((floor(extract(year from ${x}) / $2) * $2)::int, 1, 1, 0, 0, 0)`;
  }
}

function epochKey(v: string): string {
  return `(extract(epoch from ${v}) * 1000000)::bigint::text`;
}

/** One statement: the grid from `since` (or now) to premake slots past the one holding now. */
export function timeBoundsSql(kind: Exclude<KeyKind, 'integer'>, unit: TimeUnit, retentionUnit?: TimeUnit): string {
  const absolute = kind === 'timestamptz' && (unit === 'minute' || unit === 'hour');
  // $7: an "as of" instant for dry runs and tests; now() otherwise.
  const NOW = 'coalesce($7::timestamptz, now())';
  const localNow = `(${NOW} at time zone $1::text)`;
  const s = SECONDS[unit]!;
  const align = (x: string) => (absolute ? `to_timestamp(floor(extract(epoch from ${x}) / ($2 * ${s})) * ($2 * ${s}))` : alignLocal(unit, x));
  const nowOnGrid = absolute ? NOW : localNow;
  const since = absolute ? '$4::timestamptz'
    : kind === 'timestamptz' ? `($4::timestamptz at time zone $1::text)`
    : kind === 'timestamp' ? '$4::timestamp' : '$4::date::timestamp';
  // A grid value → the key's type.
  const toKey = (g: string) => (absolute || kind === 'timestamp' ? g : kind === 'timestamptz' ? `(${g} at time zone $1::text)` : `(${g})::date`);
  const local = (g: string) => (absolute ? `(${g} at time zone $1::text)` : g);
  const nowKey = kind === 'timestamptz' ? NOW : kind === 'timestamp' ? localNow : `${localNow}::date`;
  // Sub-day retention is elapsed time; from a day up, calendar time in the policy's zone.
  const cutoffLocal = `(${localNow} - $5::interval)`;
  const cutoff = kind === 'timestamptz'
    ? (retentionUnit === 'minute' || retentionUnit === 'hour' ? `(${NOW} - $5::interval)` : `(${cutoffLocal} at time zone $1::text)`)
    : kind === 'timestamp' ? cutoffLocal : `${cutoffLocal}::date`;
  return `
with grid as (
  select ${align(nowOnGrid)} as anchor, ${STEP[unit]} as step
),
series as (
  select g as lo, g + grid.step as hi
  from grid,
       generate_series(least(grid.anchor, greatest(coalesce(${align(since)}, grid.anchor), grid.anchor - grid.step * $6::int)),
                       grid.anchor + grid.step * $3::int, grid.step) g
)
select to_json(${toKey('lo')}) #>> '{}' as "from", to_json(${toKey('hi')}) #>> '{}' as "to",
       ${epochKey(toKey('lo'))} as from_key, ${epochKey(toKey('hi'))} as to_key,
       to_char(${local('lo')}, 'YYYY MM DD HH24 MI IYYY IW') as label,
       ${epochKey(nowKey)} as now_key,
       case when $5::interval is null then null else ${epochKey(cutoff)} end as cutoff_key
from series
order by lo`.replace(/\$2(?!::)/g, () => '$2::int');
}

/** The oldest lower bound among the ranged partitions (MINVALUE counts by its upper bound). */
export function oldestBound(snap: CatalogSnapshot): string | null {
  let best: { key: bigint; text: string } | null = null;
  for (const p of snap.partitions) {
    if (p.isDefault) continue;
    const cand = p.fromKey !== null ? { key: p.fromKey, text: p.from! } : p.toKey !== null ? { key: p.toKey, text: p.to! } : null;
    if (cand && (!best || cand.key < best.key)) best = cand;
  }
  return best?.text ?? null;
}

const LABEL_KEYS = ['YYYY', 'MM', 'DD', 'HH24', 'MI', 'IYYY', 'IW'];

export async function timeBounds(db: Db, policy: PartitionPolicy, snap: CatalogSnapshot, at?: Date): Promise<WantedBounds> {
  if (policy.interval.kind !== 'time' || snap.keyKind === 'integer') throw new Error('timeBounds needs a time policy on a time key');
  const rows = await db.query<{ from: string; to: string; from_key: string; to_key: string; label: string; now_key: string; cutoff_key: string | null }>(
    timeBoundsSql(snap.keyKind, policy.interval.unit, policy.retention?.kind === 'time' ? policy.retention.unit : undefined),
    [policy.timezone, policy.interval.count, policy.premake, oldestBound(snap),
      policy.retention?.kind === 'time' ? intervalText(policy.retention) : null, MAX_SLOTS_BACK, at?.toISOString() ?? null],
  );
  const slots: Slot[] = rows.map((r) => {
    const parts = r.label.split(' ');
    return { from: r.from, to: r.to, fromKey: BigInt(r.from_key), toKey: BigInt(r.to_key), label: Object.fromEntries(LABEL_KEYS.map((k, i) => [k, parts[i]])) };
  });
  const nowKey = BigInt(rows[0].now_key);
  return { slots, current: slots.findIndex((s) => s.fromKey <= nowKey && nowKey < s.toKey), nowKey, cutoffKey: rows[0].cutoff_key === null ? null : BigInt(rows[0].cutoff_key) };
}

/** Floor division for BigInt (rounds toward minus infinity, unlike `/`). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

/**
 * Id grid, pure: slots of `width` aligned to multiples of it (as pg_partman does), from the
 * oldest partition to premake slots past the one holding the current max id. An empty table
 * has no current id: the grid then starts at the oldest partition (or 0) and nothing retires.
 */
export function idBounds(policy: PartitionPolicy, snap: CatalogSnapshot): WantedBounds {
  if (policy.interval.kind !== 'id') throw new Error('idBounds needs an id policy');
  const w = policy.interval.width;
  const oldest = oldestBound(snap);
  const base = snap.maxId ?? (oldest !== null ? BigInt(oldest) : 0n);
  const anchor = floorDiv(base, w) * w;
  let start = oldest !== null ? floorDiv(BigInt(oldest), w) * w : anchor;
  if (start > anchor) start = anchor;
  if (start < anchor - w * BigInt(MAX_SLOTS_BACK)) start = anchor - w * BigInt(MAX_SLOTS_BACK);
  const slots: Slot[] = [];
  for (let lo = start; lo <= anchor + w * BigInt(policy.premake); lo += w) {
    slots.push({ from: String(lo), to: String(lo + w), fromKey: lo, toKey: lo + w, label: { start: String(lo) } });
  }
  const retention = policy.retention?.kind === 'id' ? policy.retention.width : null;
  return {
    slots,
    current: slots.findIndex((s) => s.fromKey === anchor),
    nowKey: snap.maxId,
    cutoffKey: snap.maxId !== null && retention !== null ? snap.maxId - retention : null,
  };
}

/** `at`: plan as of this instant instead of now() (dry runs, tests); time policies only. */
export async function wantedBounds(db: Db, policy: PartitionPolicy, snap: CatalogSnapshot, at?: Date): Promise<WantedBounds> {
  return policy.interval.kind === 'id' ? idBounds(policy, snap) : timeBounds(db, policy, snap, at);
}

