/**
 * Lambda: health checks for every configured target (or those asked for), each isolated.
 * EventBridge Scheduler invokes it with `{}`; an on-demand invoke may pass
 * `{targets?: string[], checks?: string[]}`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { ConfigError, DeliveryError, errorMessage } from '../lib/errors';
import { formatIssues } from '../lib/config/format-issues';
import { selectTargets } from '../lib/config/resolve';
import { CHECK_IDS, Severity, worstSeverity } from '../lib/health/catalog';
import { ServerClaims } from '../lib/health/servers';
import { runHealth } from '../lib/runner/health';
import { mapSettled } from '../lib/util/concurrency';
import { env } from './constants';
import { failLoudly } from './middleware/fail-loudly';
import { runtime } from './middleware/runtime';

const logger = new Logger({ serviceName: 'pgsteward' });

const payloadSchema = z.strictObject({
  targets: z.array(z.string().min(1)).optional(),
  checks: z.array(z.enum(CHECK_IDS)).optional(),
});

export interface HealthSummary {
  targets: number;
  worst: string;
  results: { target: string; worst?: string; notifications?: number; errors?: string[]; report?: string; unchanged?: boolean }[];
}

async function run(event: unknown): Promise<HealthSummary> {
  const parsed = payloadSchema.safeParse(event ?? {});
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues), 'on-demand payload');
  const rt = runtime();
  const targets = selectTargets(rt.config, parsed.data.targets, 'health');
  // Who covers each server's instance-level checks comes from the whole config, so one
  // invocation per target (fan-out) and one invocation for all agree (lib/health/servers.ts).
  const servers = new ServerClaims(rt.config.targets ?? []);
  const settled = await mapSettled(targets, env.concurrency, (target) =>
    runHealth(target, { alerts: rt.alerts, state: rt.state, sink: rt.sink, sns: rt.sns, only: parsed.data.checks, logger, servers }));
  const results: HealthSummary['results'] = settled.map((s, i) =>
    s.status === 'fulfilled'
      ? { target: targets[i].id, worst: s.value.report.summary.worst, notifications: s.value.report.notifications.length, errors: s.value.report.errors.map((e) => e.message), report: s.value.report.location?.json, ...(s.value.unchanged ? { unchanged: true } : {}) }
      : { target: targets[i].id, errors: [errorMessage(s.reason)] });
  // A target whose run threw has no verdict: count it as critical, never as fine.
  const worst = worstSeverity(results.map((r) => (r.worst ?? 'critical') as Severity));
  const summary = { targets: targets.length, worst, results };
  logger.info('health run finished', { summary });
  // Every target was checked and delivered where possible; now make a delivery failure visible.
  const failed = settled.filter((s) => s.status === 'rejected' || s.value.deliveryFailed).length;
  if (failed) throw new DeliveryError(`${failed} of ${targets.length} target(s) could not deliver their report or alerts: ${JSON.stringify(results.filter((r) => r.errors?.length))}`);
  return summary;
}

export const handler = middy(run)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(failLoudly('health', logger));
