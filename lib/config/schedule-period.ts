/**
 * The longest gap between two runs of an EventBridge Scheduler expression, so the missed-run
 * watchdog knows when "no report for two schedule periods" has happened. Syntax:
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 *   rate(value unit)            unit: minute(s) | hour(s) | day(s)
 *   cron(min hour dom month dow year)  with * ? , - / and names (JAN…, SUN…)
 * A cron's period is found by walking 62 days minute by minute (90 k steps, ~10 ms) and taking
 * the longest gap between fires: exact for every field combination we parse, including
 * "weekdays at 03:00" (whose longest gap, Friday→Monday, is three days, not one). `at(...)` is
 * one-off, and L, W and # are not parsed: those return undefined (the watchdog then says it cannot
 * watch that advisor, rather than guessing).
 */

const MINUTE = 60_000;
const UNIT_MS: Record<string, number> = { minute: MINUTE, hour: 60 * MINUTE, day: 24 * 60 * MINUTE };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
/** Long enough for two fires of a monthly schedule. */
const WALK_DAYS = 62;

export function schedulePeriodMs(expression: string): number | undefined {
  const rate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/i.exec(expression.trim());
  if (rate) return Number(rate[1]) * UNIT_MS[rate[2].toLowerCase().replace(/s$/, '')];
  const cron = /^cron\((.+)\)$/i.exec(expression.trim());
  if (!cron) return undefined;
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) return undefined;
  const [min, hour, dom, month, dow] = [
    parseField(fields[0], 0, 59),
    parseField(fields[1], 0, 23),
    parseField(fields[2], 1, 31),
    parseField(fields[3], 1, 12, MONTHS, 1),
    // EventBridge numbers days of the week 1-7 from Sunday; Date.getUTCDay() counts 0-6.
    parseField(fields[4], 1, 7, DAYS, 1),
  ];
  if (!min || !hour || !dom || !month || !dow) return undefined;
  // A fixed start (a Monday) keeps the answer independent of today's date.
  const start = Date.UTC(2024, 0, 1);
  let last: number | undefined;
  let longest = 0;
  for (let t = start; t < start + WALK_DAYS * 24 * 60 * MINUTE; t += MINUTE) {
    const d = new Date(t);
    if (!min.has(d.getUTCMinutes()) || !hour.has(d.getUTCHours()) || !month.has(d.getUTCMonth() + 1)) continue;
    if (!dom.has(d.getUTCDate()) || !dow.has(d.getUTCDay() + 1)) continue;
    if (last !== undefined) longest = Math.max(longest, t - last);
    last = t;
  }
  return longest || undefined;
}

/** A cron field as the set of values it matches; undefined when it uses syntax we do not parse. */
function parseField(text: string, lo: number, hi: number, names: string[] = [], nameBase = 0): Set<number> | undefined {
  const out = new Set<number>();
  const value = (s: string): number | undefined => {
    const i = names.indexOf(s.toUpperCase());
    if (i >= 0) return i + nameBase;
    return /^\d+$/.test(s) ? Number(s) : undefined;
  };
  for (const part of text.split(',')) {
    if (part === '*' || part === '?') {
      for (let v = lo; v <= hi; v++) out.add(v);
      continue;
    }
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const step = m[2] ? Number(m[2]) : 1;
    let from: number | undefined;
    let to: number | undefined;
    if (m[1] === '*') [from, to] = [lo, hi];
    else if (m[1].includes('-')) [from, to] = m[1].split('-').map(value);
    else {
      from = value(m[1]);
      to = m[2] ? hi : from;
    }
    if (from === undefined || to === undefined || from < lo || to > hi || step < 1) return undefined;
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}
