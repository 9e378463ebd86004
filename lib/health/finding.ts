/** What a health check returns: rows to judge and render elsewhere (pghero's split). */
import type { CheckId, Severity } from './catalog';

export interface Finding {
  check: CheckId;
  severity: Severity;
  /** What the finding is about (a table, a slot, `pid 1234`, a database); absent for whole-server findings. */
  object?: string;
  /** The measured value, in the check's unit. */
  value?: number;
  /** The threshold the value was judged against (the one it crossed, or the warning one when ok). */
  threshold?: number;
  message: string;
  detail?: Record<string, unknown>;
  /**
   * `server`: a server-wide finding (an instance-level check, see CHECKS[id].scope). It is alerted
   * under the server's `host:port`, once per server, not under each target on it.
   */
  scope?: 'server';
}

/** A session as findings show it (long, idle-in-transaction and blocked queries). */
export interface SessionDetail {
  pid: number;
  user: string | null;
  application: string | null;
  clientAddr: string | null;
  state: string | null;
  durationSeconds: number;
  /** Literals redacted unless health.redactLiterals is false. */
  query: string | null;
}
