/**
 * Who watches the watcher, per target: a run that did not happen leaves no report, so no alert
 * of its own can say so. After each fleet health run (every few minutes) this looks at every
 * target's newest report per advisor (the sinks' `latest.json` pointers) and flags those older
 * than `missedAfterPeriods` schedule periods (2, as issue 5 asks: one late run is normal jitter —
 * a retried invocation, a slow night — two missing in a row is not).
 *
 * A whole schedule that stops (disabled, deleted, its role broken) is caught by a CloudWatch
 * alarm on the orchestration's started executions (infra, "run-missed"); this catches the
 * quieter case: the schedule fires but one target's runs never produce a report.
 *
 * A target with no report at all is only missing once the watchdog itself has watched it for
 * the same grace (kept in `memory.watchingSince`), so a new deployment or a newly added target
 * does not alert before its first run had a chance to happen.
 */
import type { AlertInput } from '../alert/lifecycle';
import { formatDuration } from '../config/units';
import type { ResolvedTarget } from '../config/resolve';
import type { Advisor } from '../report/types';
import type { LatestPointer } from '../sinks/types';

export const CHECK_MISSED_RUN = 'missed_run';
export const MISSED_AFTER_PERIODS = 2;

export interface WatchedSchedule {
  /** The longest gap between two runs (schedulePeriodMs); undefined: cannot be watched. */
  periodMs?: number;
  enabled: boolean;
}

export interface WatchdogInput {
  targets: ResolvedTarget[];
  schedules: Record<Advisor, WatchedSchedule>;
  readLatest: (advisor: Advisor, target: string) => Promise<LatestPointer | undefined>;
  now: Date;
  /** `${advisor}/${target}` → ISO time the watchdog first looked for it. */
  watchingSince: Record<string, string>;
  missedAfterPeriods?: number;
}

export interface WatchdogResult {
  findings: AlertInput[];
  /** Pairs that were looked at (only their alerts may resolve). */
  watched: number;
  /** Pairs that cannot be watched and why (e.g. a one-off `at()` schedule). */
  unwatched: string[];
  /** Pointers that could not be read (the sink failed): not judged this time. */
  unreadable: string[];
  watchingSince: Record<string, string>;
}

/** Which advisors run for a target: every target gets health and advise; partitions only with policies. */
export function advisorsFor(target: ResolvedTarget): Advisor[] {
  return target.partitions.length ? ['health', 'advise', 'partitions'] : ['health', 'advise'];
}

export async function findMissedRuns(input: WatchdogInput): Promise<WatchdogResult> {
  const periods = input.missedAfterPeriods ?? MISSED_AFTER_PERIODS;
  const nowMs = input.now.getTime();
  const findings: AlertInput[] = [];
  const unwatched = new Set<string>();
  const unreadable: string[] = [];
  const watchingSince: Record<string, string> = {};
  let watched = 0;
  for (const target of input.targets) {
    for (const advisor of advisorsFor(target)) {
      const schedule = input.schedules[advisor];
      if (!schedule.enabled) continue;
      if (!schedule.periodMs) {
        unwatched.add(`${advisor}: its schedule has no regular period`);
        continue;
      }
      const key = `${advisor}/${target.id}`;
      const since = input.watchingSince[key] ?? input.now.toISOString();
      watchingSince[key] = since;
      let latest: LatestPointer | undefined;
      try {
        latest = await input.readLatest(advisor, target.id);
      } catch (err) {
        unreadable.push(`${key}: ${(err as Error).message}`);
        continue;
      }
      watched++;
      const graceMs = periods * schedule.periodMs;
      const lastMs = latest ? Date.parse(latest.startedAt) : Date.parse(since);
      if (nowMs - lastMs <= graceMs) continue;
      const age = formatDuration(nowMs - lastMs);
      findings.push({
        check: CHECK_MISSED_RUN,
        object: `${target.id}/${advisor}`,
        severity: 'warning',
        message: latest
          ? `no ${advisor} report for ${target.id} in ${age} (last ${latest.startedAt}); expected one every ${formatDuration(schedule.periodMs)}`
          : `no ${advisor} report for ${target.id} since the watchdog started looking ${age} ago; expected one every ${formatDuration(schedule.periodMs)}`,
      });
    }
  }
  return { findings, watched, unwatched: [...unwatched], unreadable, watchingSince };
}
