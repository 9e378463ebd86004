/**
 * Partition widths and retention periods. A time width is `<n> <unit>` in PostgreSQL interval
 * syntax (https://www.postgresql.org/docs/current/datatype-datetime.html#DATATYPE-INTERVAL-INPUT),
 * restricted to one unit so every bound can be aligned to a fixed grid and stays the same from
 * one run to the next; an id width is a positive integer.
 */

export type TimeUnit = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
export type PartitionInterval = { kind: 'time'; unit: TimeUnit; count: number } | { kind: 'id'; width: bigint };

const UNIT_WORDS: Record<string, TimeUnit> = {
  minute: 'minute', minutes: 'minute', min: 'minute', mins: 'minute',
  hour: 'hour', hours: 'hour', h: 'hour',
  day: 'day', days: 'day', d: 'day',
  week: 'week', weeks: 'week', w: 'week',
  month: 'month', months: 'month', mon: 'month', mons: 'month',
  year: 'year', years: 'year', y: 'year',
};

/** Parses `1 day`, `3 months`, `90 days`, `100000` or `100000` (number); an error message when invalid. */
export function parseInterval(value: string | number): PartitionInterval | string {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value > 0 ? { kind: 'id', width: BigInt(value) } : 'an id width must be a positive integer';
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) return BigInt(text) > 0n ? { kind: 'id', width: BigInt(text) } : 'an id width must be a positive integer';
  const m = /^(\d+)\s*([a-z]+)$/i.exec(text);
  const unit = m ? UNIT_WORDS[m[2].toLowerCase()] : undefined;
  if (!m || !unit) return `expected an interval such as "1 day", "1 week", "1 month", "3 months" or an integer id width, got ${JSON.stringify(value)}`;
  const count = Number(m[1]);
  if (!Number.isSafeInteger(count) || count < 1) return 'an interval must be at least 1';
  return { kind: 'time', unit, count };
}

/** The interval as PostgreSQL reads it, e.g. `3 months` (bound as a value, cast with ::interval). */
export function intervalText(i: { unit: TimeUnit; count: number }): string {
  return `${i.count} ${i.unit}${i.count === 1 ? '' : 's'}`;
}

/** Below a day, bounds are absolute instants; from a day up, local calendar dates (see bounds.ts). */
export function isSubDay(i: PartitionInterval): boolean {
  return i.kind === 'time' && (i.unit === 'minute' || i.unit === 'hour');
}

/**
 * Extra rules for a partition width (a retention period only needs to parse): months must divide
 * a year so quarters and half-years align to the calendar, as they do in pg_partman.
 */
export function checkPartitionWidth(i: PartitionInterval): string | undefined {
  if (i.kind === 'time' && i.unit === 'month' && 12 % i.count !== 0) return 'a month interval must divide a year (1, 2, 3, 4, 6 or 12 months)';
  if (i.kind === 'time' && i.unit === 'hour' && 24 % i.count !== 0) return 'an hour interval must divide a day (1, 2, 3, 4, 6, 8 or 12 hours)';
  if (i.kind === 'time' && i.unit === 'minute' && 60 % i.count !== 0) return 'a minute interval must divide an hour (e.g. 5, 10, 15, 30 minutes)';
  return undefined;
}
