/**
 * The end of a fleet run: the orchestration fanned one invocation out per target (a Map state
 * with bounded concurrency, retries and a Catch per item, see infra/constructs), and hands every
 * item's outcome here. Pure: the outcomes in, one summary and the findings to alert on out.
 *
 * What counts as a failure worth an alert of its own: a target whose invocation failed for a
 * reason nobody has reported yet (a timeout, an out-of-memory exit, throttling beyond the
 * retries, a bug). A `DeliveryError` is not one: that invocation ran every check and sent its own
 * alert, it only could not deliver everything (see functions/middleware/fail-loudly.ts).
 */
import { z } from 'zod';
import type { AlertInput } from '../alert/lifecycle';
import type { Advisor } from '../report/types';

export const FLEET_ADVISORS = ['health', 'advise', 'partitions'] as const;

/** One Map item's outcome, as the state machine's ResultSelector / Catch shape it. */
const itemSchema = z.object({
  target: z.string().min(1),
  /** The advisor function's return value (its run summary) when the invocation succeeded. */
  output: z.unknown().optional(),
  /** Step Functions' error object when it failed after retries: {Error, Cause}. */
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

export const fleetRunInputSchema = z.object({
  advisor: z.enum(FLEET_ADVISORS),
  executionId: z.string().optional(),
  startedAt: z.string().optional(),
  results: z.array(itemSchema),
});
export type FleetRunInput = z.output<typeof fleetRunInputSchema>;

export interface FleetTargetResult {
  target: string;
  status: 'ok' | 'failed' | 'undelivered';
  /** health: the worst severity; the others leave it out. */
  worst?: string;
  notifications?: number;
  /** The JSON report's location, when one was written. */
  report?: string;
  error?: string;
}

export interface FleetRunSummary {
  advisor: Advisor;
  executionId?: string;
  startedAt?: string;
  finishedAt: string;
  targets: number;
  ok: number;
  /** Ran, but a report or an alert could not be delivered (the target already said so). */
  undelivered: number;
  /** Did not run to the end: nobody but this summary reports it. */
  failed: number;
  results: FleetTargetResult[];
}

/** Alert check ids this step owns (documented in docs/runbook.md). */
export const CHECK_RUN_FAILED = 'run_failed';

/** Step Functions puts the function's error type in `Error`; these are ours, already alerted. */
const ALREADY_ALERTED = new Set(['DeliveryError']);
/** A Cause is a JSON document with errorMessage for Lambda errors; keep what a person reads. */
const CAUSE_MAX = 500;

export function summarizeFleetRun(input: FleetRunInput, now: Date): { summary: FleetRunSummary; findings: AlertInput[] } {
  const results = input.results.map((item) => targetResult(item));
  const findings: AlertInput[] = results
    .filter((r) => r.status === 'failed')
    .map((r) => ({ check: CHECK_RUN_FAILED, object: r.target, severity: 'critical' as const, message: `pgsteward ${input.advisor} could not run for ${r.target}: ${r.error}` }));
  const count = (s: FleetTargetResult['status']) => results.filter((r) => r.status === s).length;
  return {
    summary: {
      advisor: input.advisor,
      ...(input.executionId ? { executionId: input.executionId } : {}),
      ...(input.startedAt ? { startedAt: input.startedAt } : {}),
      finishedAt: now.toISOString(),
      targets: results.length,
      ok: count('ok'),
      undelivered: count('undelivered'),
      failed: count('failed'),
      results,
    },
    findings,
  };
}

function targetResult(item: z.output<typeof itemSchema>): FleetTargetResult {
  if (item.error) {
    const type = item.error.Error ?? 'Error';
    const status = ALREADY_ALERTED.has(type) ? 'undelivered' : 'failed';
    return { target: item.target, status, error: `${type}: ${causeText(item.error.Cause)}` };
  }
  // The advisor functions return {targets, results: [{target, …}]}; with one target per item, take its entry.
  const out = item.output as { results?: Record<string, unknown>[] } | undefined;
  const entry = out?.results?.find((r) => r.target === item.target) ?? out?.results?.[0];
  if (!entry) return { target: item.target, status: 'failed', error: 'the function returned no result for this target' };
  const errors = Array.isArray(entry.errors) ? (entry.errors as string[]) : [];
  return {
    target: item.target,
    status: 'ok',
    ...(typeof entry.worst === 'string' ? { worst: entry.worst } : {}),
    ...(typeof entry.notifications === 'number' ? { notifications: entry.notifications } : {}),
    ...(typeof entry.report === 'string' ? { report: entry.report } : {}),
    ...(errors.length ? { error: errors.join('; ') } : {}),
  };
}

/** Lambda errors arrive as a JSON Cause ({errorType, errorMessage, trace}); others as text. */
function causeText(cause: string | undefined): string {
  if (!cause) return 'no cause given';
  let text = cause;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') text = parsed.errorMessage;
  } catch {
    // Not JSON: States.Timeout and friends carry plain text.
  }
  return text.length > CAUSE_MAX ? `${text.slice(0, CAUSE_MAX - 1)}…` : text;
}
