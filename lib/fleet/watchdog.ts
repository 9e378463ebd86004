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
import { mapSettled } from '../util/concurrency';

/** Pointer reads in flight at once (S3 serves thousands a second per prefix). */
const READS = 16;

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

/** Which advisors run for a target on schedule: its `advisors`, partitions only with policies. */
export function advisorsFor(target: ResolvedTarget): Advisor[] {
  return target.advisors.filter((a) => a !== 'partitions' || target.partitions.length > 0);
}

export async function findMissedRuns(input: WatchdogInput): Promise<WatchdogResult> {
  const periods = input.missedAfterPeriods ?? MISSED_AFTER_PERIODS;
  const nowMs = input.now.getTime();
  const findings: AlertInput[] = [];
  const unwatched = new Set<string>();
  const unreadable: string[] = [];
  const watchingSince: Record<string, string> = {};
  // Which (target, advisor) pairs to look at, then their pointers, READS at a time: 200 targets
  // are ~500 sequential S3 GETs otherwise, inside a summary step that has a minute.
  const pairs: { target: ResolvedTarget; advisor: Advisor; periodMs: number; since: string }[] = [];
  for (const target of input.targets) {
    for (const advisor of advisorsFor(target)) {
      const schedule = input.schedules[advisor];
      if (!schedule.enabled) continue;
      if (!schedule.periodMs) {
        unwatched.add(`${advisor}: its schedule has no regular period`);
        continue;
      }
      const key = `${advisor}/${target.id}`;
      watchingSince[key] = input.watchingSince[key] ?? input.now.toISOString();
      pairs.push({ target, advisor, periodMs: schedule.periodMs, since: watchingSince[key] });
    }
  }
  const read = await mapSettled(pairs, READS, (p) => input.readLatest(p.advisor, p.target.id));
  let watched = 0;
  pairs.forEach(({ target, advisor, periodMs, since }, i) => {
    const r = read[i];
    if (r.status === 'rejected') {
      unreadable.push(`${advisor}/${target.id}: ${(r.reason as Error).message}`);
      return;
    }
    watched++;
    const latest = r.value;
    const lastMs = latest ? Date.parse(latest.startedAt) : Date.parse(since);
    if (nowMs - lastMs <= periods * periodMs) return;
    const age = formatDuration(nowMs - lastMs);
    findings.push({
      check: CHECK_MISSED_RUN,
      object: `${target.id}/${advisor}`,
      severity: 'warning',
      message: latest
        ? `no ${advisor} report for ${target.id} in ${age} (last ${latest.startedAt}); expected one every ${formatDuration(periodMs)}`
        : `no ${advisor} report for ${target.id} since the watchdog started looking ${age} ago; expected one every ${formatDuration(periodMs)}`,
    });
  });
  return { findings, watched, unwatched: [...unwatched], unreadable, watchingSince };
}
