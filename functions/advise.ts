/**
 * Lambda: index advice for every configured target (or those asked for), each isolated.
 * EventBridge Scheduler invokes it nightly with `{}`; an on-demand invoke may pass
 * `{targets?: string[], storageBudget?: "80MB"}`. `dryRun` is refused with a reason rather than
 * accepted and ignored: advise never changes a database (its what-if indexes are hypothetical),
 * so every run is already dry. The trial engine, which builds real indexes, is for throwaway
 * databases and the CLI only, so the payload cannot select it either.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { ConfigError, DeliveryError, errorMessage } from '../lib/errors';
import { formatIssues } from '../lib/config/format-issues';
import { selectTargets } from '../lib/config/resolve';
import { parseSizeBytes } from '../lib/config/units';
import { runAdvise } from '../lib/runner/advise';
import { mapSettled } from '../lib/util/concurrency';
import { env } from './constants';
import { failLoudly } from './middleware/fail-loudly';
import { runtime } from './middleware/runtime';

const logger = new Logger({ serviceName: 'pgsteward' });

/**
 * Targets advised at once. Each holds a connection planning statement after statement and the
 * function's CPU is shared, so fewer than health's 4 unless PGSTEWARD_CONCURRENCY says otherwise.
 */
const ADVISE_CONCURRENCY = 2;
const concurrency = process.env.PGSTEWARD_CONCURRENCY ? env.concurrency : ADVISE_CONCURRENCY;

const payloadSchema = z.strictObject({
  targets: z.array(z.string().min(1)).optional(),
  storageBudget: z.string()
    .refine((s) => parseSizeBytes(s) !== undefined, { message: 'expected a size such as "80MB" or "1GB"' })
    .optional(),
  dryRun: z.never({ error: 'not needed: advise never changes a database (what-if indexes are hypothetical), so every run is already dry' })
    .optional(),
});

export interface AdviseSummary {
  targets: number;
  results: {
    target: string;
    recommendations?: number;
    indexFindings?: number;
    notifications?: number;
    errors: string[];
    /** s3:// URL of the JSON report, when it was written. */
    report?: string;
  }[];
}

async function run(event: unknown): Promise<AdviseSummary> {
  const parsed = payloadSchema.safeParse(event ?? {});
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues), 'on-demand payload');
  const storageBudgetBytes = parsed.data.storageBudget === undefined ? undefined : parseSizeBytes(parsed.data.storageBudget);
  const rt = runtime();
  const targets = selectTargets(rt.config, parsed.data.targets, 'advise');
  const settled = await mapSettled(targets, concurrency, (target) =>
    runAdvise(target, { alerts: rt.alerts, state: rt.state, sink: rt.sink, sns: rt.sns, storageBudgetBytes, logger }));
  const results: AdviseSummary['results'] = settled.map((s, i) => {
    if (s.status === 'rejected') return { target: targets[i].id, errors: [errorMessage(s.reason)] };
    const { report } = s.value;
    return {
      target: targets[i].id,
      recommendations: report.recommendations.length,
      indexFindings: report.indexFindings.length,
      notifications: report.notifications.length,
      errors: report.errors.map((e) => e.message),
      report: report.location?.json,
    };
  });
  const summary = { targets: targets.length, results };
  logger.info('advise run finished', { summary });
  // Every target ran and delivered what it could (a target that could not be advised still sent
  // its `advise_failed` alert); now make the failure visible to Lambda's metrics and the DLQ.
  const failed = settled.filter((s) => s.status === 'rejected' || s.value.failed || s.value.deliveryFailed).length;
  if (failed) {
    throw new DeliveryError(`${failed} of ${targets.length} target(s) could not be advised or could not deliver their report or alerts: `
      + JSON.stringify(results.filter((r) => r.errors.length)));
  }
  return summary;
}

export const handler = middy(run)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(failLoudly('advise', logger));
