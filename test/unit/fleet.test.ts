import { schedulePeriodMs } from '../../lib/config/schedule-period';
import { summarizeFleetRun } from '../../lib/fleet/summary';
import { findMissedRuns, WatchedSchedule } from '../../lib/fleet/watchdog';
import type { ResolvedTarget } from '../../lib/config/resolve';
import type { LatestPointer } from '../../lib/sinks/types';

const MIN = 60_000;

describe('schedulePeriodMs: the longest gap between two runs', () => {
  it.each([
    ['rate(5 minutes)', 5 * MIN],
    ['rate(1 hour)', 60 * MIN],
    ['rate(2 days)', 2 * 1440 * MIN],
    ['cron(0 3 * * ? *)', 1440 * MIN],
    ['cron(0/5 * * * ? *)', 5 * MIN],
    ['cron(15 */6 * * ? *)', 360 * MIN],
    // Weekdays only: Friday 03:00 to Monday 03:00 is the gap that matters.
    ['cron(0 3 ? * MON-FRI *)', 3 * 1440 * MIN],
    ['cron(30 2 ? * SUN *)', 7 * 1440 * MIN],
    ['cron(0 3 1 * ? *)', 31 * 1440 * MIN],
  ])('%s', (expression, expected) => {
    expect(schedulePeriodMs(expression)).toBe(expected);
  });

  it.each(['at(2026-01-01T00:00:00)', 'cron(0 3 L * ? *)', 'cron(0 3 * *)', 'rate(5 fortnights)', 'cron(0 25 * * ? *)'])('%s has no period we can trust', (expression) => {
    expect(schedulePeriodMs(expression)).toBeUndefined();
  });
});

describe('summarizeFleetRun', () => {
  const now = new Date('2026-11-27T12:00:00Z');
  const ok = (target: string, worst = 'ok') => ({ target, output: { targets: 1, results: [{ target, worst, notifications: 0, errors: [], report: `s3://b/${target}.json` }] } });

  it('classifies each item: ok, undelivered (already alerted by the function), failed (nobody said so)', () => {
    const { summary, findings } = summarizeFleetRun({
      advisor: 'health',
      results: [
        ok('a'),
        ok('b', 'critical'),
        { target: 'c', error: { Error: 'DeliveryError', Cause: JSON.stringify({ errorType: 'DeliveryError', errorMessage: 'SNS down' }) } },
        { target: 'd', error: { Error: 'States.Timeout', Cause: 'Task timed out after 90.00 seconds' } },
        { target: 'e', error: { Error: 'Lambda.TooManyRequestsException', Cause: JSON.stringify({ errorMessage: 'Rate exceeded' }) } },
      ],
    }, now);
    expect(summary).toMatchObject({ advisor: 'health', targets: 5, ok: 2, undelivered: 1, failed: 2, finishedAt: now.toISOString() });
    expect(summary.results[1]).toEqual({ target: 'b', status: 'ok', worst: 'critical', notifications: 0, report: 's3://b/b.json' });
    expect(summary.results[2]).toMatchObject({ status: 'undelivered', error: 'DeliveryError: SNS down' });
    expect(findings.map((f) => f.object)).toEqual(['d', 'e']);
    expect(findings[1]).toMatchObject({ check: 'run_failed', severity: 'critical', message: expect.stringContaining('Rate exceeded') });
  });

  it('an output without this target is a failure, not a silent success', () => {
    const { summary } = summarizeFleetRun({ advisor: 'advise', results: [{ target: 'a', output: { targets: 0, results: [] } }] }, now);
    expect(summary.results[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('no result') });
  });
});

describe('findMissedRuns', () => {
  const now = new Date('2026-11-27T12:00:00Z');
  const target = (id: string, partitions = 0, advisors: ResolvedTarget['advisors'] = ['health', 'advise', 'partitions']) =>
    ({ id, advisors, partitions: Array.from({ length: partitions }, () => ({})) }) as unknown as ResolvedTarget;
  const schedules: Record<'health' | 'advise' | 'partitions', WatchedSchedule> = {
    health: { periodMs: 5 * MIN, enabled: true },
    advise: { periodMs: 1440 * MIN, enabled: true },
    partitions: { periodMs: 60 * MIN, enabled: true },
  };
  const pointer = (advisor: LatestPointer['advisor'], t: string, agoMs: number): LatestPointer => ({
    schemaVersion: 1, advisor, target: t, runId: 'r', startedAt: new Date(now.getTime() - agoMs).toISOString(), json: `${advisor}/${t}.json`,
  });

  it('flags a report older than two periods, not one that is merely late, and watches partitions only where policies exist', async () => {
    const latest: Record<string, LatestPointer> = {
      'health/a': pointer('health', 'a', 9 * MIN), // late once: fine
      'health/b': pointer('health', 'b', 11 * MIN), // two periods missed
      'advise/a': pointer('advise', 'a', 30 * 60 * MIN), // 30 h: fine
      'advise/b': pointer('advise', 'b', 49 * 60 * MIN),
      'partitions/b': pointer('partitions', 'b', 20 * MIN),
    };
    const out = await findMissedRuns({
      targets: [target('a'), target('b', 1)],
      schedules,
      readLatest: async (advisor, t) => latest[`${advisor}/${t}`],
      now,
      watchingSince: {},
    });
    expect(out.findings.map((f) => f.object).sort()).toEqual(['b/advise', 'b/health']);
    expect(out.watched).toBe(5);
    expect(out.findings[0]).toMatchObject({ check: 'missed_run', severity: 'warning' });
  });

  it('watches only the advisors a target is scheduled for', async () => {
    const out = await findMissedRuns({
      targets: [target('proxy', 1, ['health'])], schedules, readLatest: async () => undefined, now, watchingSince: {},
    });
    expect(Object.keys(out.watchingSince)).toEqual(['health/proxy']);
  });

  it('a target that never reported is missed only once the watchdog has watched it for two periods', async () => {
    const base = { targets: [target('new')], schedules: { ...schedules, advise: { ...schedules.advise, enabled: false } }, readLatest: async () => undefined, now };
    const first = await findMissedRuns({ ...base, watchingSince: {} });
    expect(first.findings).toEqual([]);
    expect(first.watchingSince).toEqual({ 'health/new': now.toISOString() });
    const later = await findMissedRuns({ ...base, now: new Date(now.getTime() + 11 * MIN), watchingSince: first.watchingSince });
    expect(later.findings.map((f) => f.object)).toEqual(['new/health']);
  });

  it('an unreadable pointer is not evidence; a schedule without a period is reported as unwatched', async () => {
    const out = await findMissedRuns({
      targets: [target('a')],
      schedules: { ...schedules, advise: { periodMs: undefined, enabled: true } },
      readLatest: async () => { throw new Error('AccessDenied'); },
      now,
      watchingSince: {},
    });
    expect(out.findings).toEqual([]);
    expect(out.unreadable).toEqual(['health/a: AccessDenied']);
    expect(out.unwatched).toEqual(['advise: its schedule has no regular period']);
  });
});
