/**
 * The fleet state machine's Map, in code, for tests (no Step Functions emulator runs here): one
 * invocation per target with `{targets: [id]}`, at most `maxConcurrency` at once, each bounded by
 * the task's `TimeoutSeconds`, and a Catch per item that records `{Error, Cause}` the way Step
 * Functions does for a Lambda task (Error = the error's name, Cause = the Lambda error document).
 * The ASL itself is asserted in test/infra; this drives the same per-target contract end to end.
 */
import type { Context } from 'aws-lambda';
import { lambdaContext } from './lambda-context';

const FUNCTION_TIMEOUT_MS = 15 * 60_000;

export type AdvisorHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface MapItemResult {
  target: string;
  output?: unknown;
  error?: { Error: string; Cause: string };
}

export async function fanOut(handler: AdvisorHandler, targets: string[], opts: { maxConcurrency?: number; timeoutMs: number }): Promise<MapItemResult[]> {
  const results: MapItemResult[] = new Array(targets.length);
  let next = 0;
  let running = 0;
  let peak = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      running++;
      peak = Math.max(peak, running);
      results[i] = await invokeOne(handler, targets[i], opts.timeoutMs);
      running--;
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.maxConcurrency ?? 10, targets.length) }, worker));
  fanOut.lastPeak = peak;
  return results;
}
/** The largest number of invocations that ran at once in the last fanOut (for assertions). */
fanOut.lastPeak = 0;

/**
 * Invocations that outlived their task timeout keep running in the background (as a real Lambda
 * would until its own timeout); a test must let them finish before its environment is torn down.
 */
const pending = new Set<Promise<unknown>>();
export async function settleInvocations(): Promise<void> {
  await Promise.allSettled([...pending]);
}

async function invokeOne(handler: AdvisorHandler, target: string, timeoutMs: number): Promise<MapItemResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<MapItemResult>((resolve) => {
    timer = setTimeout(() => resolve({ target, error: { Error: 'States.Timeout', Cause: `Task timed out after ${timeoutMs / 1000} seconds` } }), timeoutMs);
  });
  // The function's own timeout is set above the task's, as the stack does, so the task's
  // TimeoutSeconds is what cuts a hung invocation (and the handler's promise is the real work).
  const run = handler({ targets: [target] }, lambdaContext({ timeoutMs: FUNCTION_TIMEOUT_MS }))
    .then((output): MapItemResult => ({ target, output }))
    .catch((err: Error): MapItemResult => ({
      target,
      error: { Error: err.name, Cause: JSON.stringify({ errorType: err.name, errorMessage: err.message }) },
    }));
  pending.add(run);
  void run.finally(() => pending.delete(run));
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
