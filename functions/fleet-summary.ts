/**
 * Lambda: the last task of each fleet state machine. Input (shaped by the state machine):
 * `{advisor, executionId, startedAt, results: [{target, output?} | {target, error: {Error, Cause}}]}`.
 * Returns the run summary (the execution's output); alerts on targets that could not run and,
 * after health runs, on targets whose reports stopped arriving (lib/fleet/watchdog.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { DEPLOY_DEFAULTS } from '../lib/config/defaults';
import { formatIssues } from '../lib/config/format-issues';
import { selectTargets } from '../lib/config/resolve';
import { schedulePeriodMs } from '../lib/config/schedule-period';
import type { Config } from '../lib/config/schema';
import { ConfigError, DeliveryError } from '../lib/errors';
import { fleetRunInputSchema } from '../lib/fleet/summary';
import type { WatchedSchedule } from '../lib/fleet/watchdog';
import type { Advisor } from '../lib/report/types';
import { runFleetSummary } from '../lib/runner/fleet';
import { failLoudly } from './middleware/fail-loudly';
import { runtime } from './middleware/runtime';

const logger = new Logger({ serviceName: 'pgsteward' });

async function run(event: unknown) {
  const parsed = fleetRunInputSchema.safeParse(event);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues), 'fleet summary input');
  const rt = runtime();
  const outcome = await runFleetSummary(parsed.data, {
    targets: selectTargets(rt.config),
    schedules: schedulesOf(rt.config),
    alerts: rt.alerts,
    sink: rt.sink,
    state: rt.state,
    sns: rt.sns,
    logger,
  });
  if (outcome.errors.length) throw new DeliveryError(`fleet summary: ${outcome.errors.map((e) => e.message).join('; ')}`);
  return outcome.summary;
}

/** The deployed schedules (same defaults as infra/deploy-settings.ts) as the watchdog needs them. */
export function schedulesOf(config: Config): Record<Advisor, WatchedSchedule> {
  const s = config.deploy?.schedules ?? {};
  const one = (given: { expression?: string; enabled?: boolean } | undefined, fallback: string): WatchedSchedule => ({
    periodMs: schedulePeriodMs(given?.expression ?? fallback),
    enabled: given?.enabled ?? true,
  });
  return {
    health: one(s.health, DEPLOY_DEFAULTS.healthSchedule),
    advise: one(s.advise, DEPLOY_DEFAULTS.adviseSchedule),
    partitions: one(s.partitions, DEPLOY_DEFAULTS.partitionsSchedule),
  };
}

export const handler = middy(run)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(failLoudly(advisorOfEvent, logger));

/** The run's advisor, when the event says which (it may be the malformed part). */
function advisorOfEvent(event: unknown): Advisor {
  const a = (event as { advisor?: unknown } | null)?.advisor;
  return a === 'advise' || a === 'partitions' ? a : 'health';
}
