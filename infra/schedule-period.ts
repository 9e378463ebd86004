/**
 * How often a schedule runs, read from its EventBridge Scheduler expression, and the CloudWatch
 * window in which "no run started" means a run was missed. Pure functions: the watchers turn the
 * window into an alarm, tests check the arithmetic without a stack.
 */

/** The longest time between two runs, in seconds, or undefined when it cannot be bounded. */
export function schedulePeriodSeconds(expression: string): number | undefined {
  const rate = /^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$/.exec(expression);
  if (rate) {
    const unit = rate[2].startsWith('minute') ? 60 : rate[2].startsWith('hour') ? 3600 : 86400;
    return Number(rate[1]) * unit;
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) return undefined; // at(...) runs once: nothing recurring to miss.
  // Scheduler cron fields: minutes hours day-of-month month day-of-week year
  // (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based).
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) return undefined;
  const [, hours, dayOfMonth, month, dayOfWeek, year] = fields;
  const any = (f: string) => f === '*' || f === '?';
  // A day-of-month, month or year restriction can leave weeks between runs: beyond any alarm window.
  if (!any(dayOfMonth) || !any(month) || !any(year)) return undefined;
  // Some days of the week only: every week holds at least one of them.
  if (!any(dayOfWeek)) return 7 * 86400;
  // Every hour (whatever the minutes) or at given hours of every day.
  return hours === '*' ? 3600 : 86400;
}

export interface MissedRunWindow {
  /** CloudWatch period, seconds. */
  periodSeconds: number;
  /** All of them must see no started run for the alarm to fire. */
  evaluationPeriods: number;
}

const DAY = 86400;
/**
 * PutMetricAlarm: Period × EvaluationPeriods may not exceed 7 days, nor 1 day when the period is
 * under an hour (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
 * We also keep one period at a day or less, the longest that CloudWatch aggregates a metric.
 */
const MAX_WINDOW = 7 * DAY;

/**
 * Two schedule periods, so one late start (a period boundary falls between two runs) never
 * fires, while two periods in a row without any start do. A window longer than a day is
 * counted in days; one over CloudWatch's 7 days is cut to 7 days, which still contains a run of
 * anything that runs at least weekly. Undefined when the schedule cannot be bounded.
 */
export function missedRunWindow(expression: string): MissedRunWindow | undefined {
  const period = schedulePeriodSeconds(expression);
  if (period === undefined || period > MAX_WINDOW) return undefined;
  const window = Math.min(2 * period, MAX_WINDOW);
  if (window <= DAY) return { periodSeconds: window, evaluationPeriods: 1 };
  return { periodSeconds: DAY, evaluationPeriods: Math.ceil(window / DAY) };
}
