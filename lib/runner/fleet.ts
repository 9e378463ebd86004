/**
 * The last step of a fleet run (the orchestration's summary task): summarize every target's
 * outcome, look for runs that did not happen (after health runs, the frequent schedule), and
 * alert through the same lifecycle as everything else — once per incident, resolved once — under
 * a fleet-scoped state document (`<advisor>/_fleet`; target ids start with a letter or digit, so
 * it never collides with one).
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import { buildSnsMessages } from '../alert/message';
import { publish } from '../alert/publish';
import type { StateStore } from '../alert/state-store';
import type { AlertSettings, ResolvedTarget } from '../config/resolve';
import { errorMessage } from '../errors';
import { CHECK_RUN_FAILED, FleetRunInput, FleetRunSummary, summarizeFleetRun } from '../fleet/summary';
import { CHECK_MISSED_RUN, findMissedRuns, WatchedSchedule } from '../fleet/watchdog';
import type { Logger } from '../log';
import type { Advisor, Notification, RunError } from '../report/types';
import type { LatestPointer, ReportSink } from '../sinks/types';
import { claimTransitions, loadMemory } from './state-steps';

export const FLEET_STATE_TARGET = '_fleet';

export interface FleetRunOptions {
  targets: ResolvedTarget[];
  schedules: Record<Advisor, WatchedSchedule>;
  alerts: AlertSettings;
  sink?: ReportSink;
  state?: StateStore;
  sns?: { topicArn: string; region?: string; client?: SNSClient };
  logger: Logger;
  now?: () => Date;
}

export interface FleetRunOutcome {
  summary: FleetRunSummary & { missedRuns?: number; unwatched?: string[] };
  notifications: Notification[];
  errors: RunError[];
}

export async function runFleetSummary(input: FleetRunInput, opts: FleetRunOptions): Promise<FleetRunOutcome> {
  const now = (opts.now ?? (() => new Date()))();
  const errors: RunError[] = [];
  const { summary, findings } = summarizeFleetRun(input, now);
  const evaluatedChecks = [CHECK_RUN_FAILED];

  const memory = await loadMemory(opts.state, input.advisor, FLEET_STATE_TARGET, opts.logger, errors);
  let nextMemory = memory;
  let watchdog: Awaited<ReturnType<typeof findMissedRuns>> | undefined;
  const pointer = opts.sink?.readLatest?.bind(opts.sink);
  const readLatest = pointer && ((advisor: Advisor, target: string) => lastRun(advisor, target, pointer, opts.state));
  if (input.advisor === 'health' && readLatest) {
    watchdog = await findMissedRuns({
      targets: opts.targets,
      schedules: opts.schedules,
      readLatest,
      now,
      watchingSince: (memory.watchingSince as Record<string, string> | undefined) ?? {},
    });
    findings.push(...watchdog.findings);
    // A pointer that could not be read is not evidence of a missed run: keep its alert as it is.
    if (!watchdog.unreadable.length) evaluatedChecks.push(CHECK_MISSED_RUN);
    else errors.push({ stage: 'report', message: `could not read latest reports: ${watchdog.unreadable.join('; ')}` });
    nextMemory = { ...memory, watchingSince: watchdog.watchingSince };
  }

  const claimed = await claimTransitions(opts.state, { target: FLEET_STATE_TARGET, advisor: input.advisor, findings, evaluatedChecks, now, settings: opts.alerts }, nextMemory, errors);
  const toSend = claimed.notifications.filter((n) => !n.silenced);
  if (toSend.length && opts.sns) {
    const messages = buildSnsMessages({ advisor: input.advisor, target: 'fleet', notifications: toSend, now, runbookUrl: opts.alerts.runbookUrl });
    const result = await publish(messages, opts.sns);
    if (result.failed.length) errors.push({ stage: 'alert', message: `${result.failed.length} fleet alert message(s) not published: ${result.failed.map((f) => errorMessage(f.error)).join('; ')}` });
  }
  const out: FleetRunOutcome['summary'] = {
    ...summary,
    ...(watchdog ? { missedRuns: watchdog.findings.length } : {}),
    ...(watchdog?.unwatched.length ? { unwatched: watchdog.unwatched } : {}),
  };
  opts.logger.info(`pgsteward ${input.advisor} fleet run: ${summary.ok} ok, ${summary.undelivered} undelivered, ${summary.failed} failed of ${summary.targets}`, { summary: out });
  return { summary: out, notifications: claimed.notifications, errors };
}

/**
 * When an advisor last ran for a target: its newest report, or for health, whose unchanged runs
 * write no report (health-quiet.ts), whichever is newer of that and its state document's
 * `updatedAt` (written by every run that reached the alert claim).
 */
async function lastRun(advisor: Advisor, target: string, pointer: (a: Advisor, t: string) => Promise<LatestPointer | undefined>, state?: StateStore): Promise<LatestPointer | undefined> {
  const latest = await pointer(advisor, target);
  if (advisor !== 'health' || !state) return latest;
  const { doc } = await state.load(`${advisor}/${target}`);
  const updatedAt = (doc as { updatedAt?: unknown } | undefined)?.updatedAt;
  if (typeof updatedAt !== 'string' || Number.isNaN(Date.parse(updatedAt))) return latest;
  if (latest && Date.parse(latest.startedAt) >= Date.parse(updatedAt)) return latest;
  return { schemaVersion: 1, advisor, target, runId: latest?.runId ?? 'state', json: latest?.json ?? '', ...latest, startedAt: updatedAt };
}
