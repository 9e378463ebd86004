/**
 * Exit codes, the same for every command so scripts and schedulers can branch on them:
 *   health:              0 all ok, 1 worst is warning (or unknown), 2 worst is critical
 *   advise / partitions: 0 success, 1 some target or table failed
 *   every command:       3 nothing could be judged (bad arguments or config, internal error)
 * A failed report write or alert publish raises a run's code to at least 1.
 */
import type { Severity } from '../health/catalog';

export const EXIT = { OK: 0, WARNING: 1, FAILED: 1, CRITICAL: 2, UNUSABLE: 3 } as const;

export function healthExitCode(worst: Severity): number {
  if (worst === 'critical') return EXIT.CRITICAL;
  if (worst === 'warning' || worst === 'unknown') return EXIT.WARNING;
  return EXIT.OK;
}
