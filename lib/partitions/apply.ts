/**
 * Runs one maintenance step: its statements in one short transaction whose lock_timeout is the
 * policy's (SET LOCAL, so it ends with the transaction), retried a few times with backoff when a
 * lock could not be had. A DDL statement waiting for a lock also makes every later query on the
 * table queue behind it (https://www.postgresql.org/docs/current/explicit-locking.html), so we
 * never wait long: we give up, let the application through, and try again a little later.
 */
import { Db, LockTimeoutError } from '../pg';

export interface StepOptions {
  lockTimeoutMs: number;
  /** Attempts in all (default 3). */
  attempts?: number;
  /** Wait before the second attempt; doubled each time (default 250 ms). */
  backoffMs?: number;
}

export interface StepResult {
  durationMs: number;
  attempts: number;
  error?: Error;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withRetries(opts: StepOptions, attempt: (n: number) => Promise<void>): Promise<StepResult> {
  const t0 = Date.now();
  const max = opts.attempts ?? 3;
  let backoff = opts.backoffMs ?? 250;
  for (let n = 1; ; n++) {
    try {
      await attempt(n);
      return { durationMs: Date.now() - t0, attempts: n };
    } catch (err) {
      if (!(err instanceof LockTimeoutError) || n >= max) return { durationMs: Date.now() - t0, attempts: n, error: err as Error };
      await sleep(backoff);
      backoff *= 2;
    }
  }
}

/** The statements in one transaction, under the policy's lock_timeout; retried on lock timeouts. */
export function runInTransaction(db: Db, statements: string[], opts: StepOptions): Promise<StepResult> {
  return withRetries(opts, () =>
    db.transaction(async () => {
      // set_config(…, true) is SET LOCAL (https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-SET).
      await db.query(`select set_config('lock_timeout', $1, true)`, [`${opts.lockTimeoutMs}ms`]);
      for (const sql of statements) await db.query(sql);
    }));
}

/**
 * One statement that "cannot run inside a transaction block" (DETACH … CONCURRENTLY): the
 * session's lock_timeout is set around it and put back. `onRetry` runs before a retry, e.g. to
 * switch to DETACH … FINALIZE when the first attempt left the partition "detach pending".
 */
export function runOutsideTransaction(db: Db, sql: string, opts: StepOptions, onRetry?: () => Promise<string>): Promise<StepResult> {
  return withRetries(opts, async (n) => {
    const text = n > 1 && onRetry ? await onRetry() : sql;
    const [{ prev }] = await db.query<{ prev: string }>(`select current_setting('lock_timeout') as prev, set_config('lock_timeout', $1, false)`, [`${opts.lockTimeoutMs}ms`]);
    try {
      await db.query(text);
    } finally {
      await db.query(`select set_config('lock_timeout', $1, false)`, [prev]).catch(() => undefined);
    }
  });
}
