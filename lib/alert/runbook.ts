/**
 * Where a person reads what to do about an alert: docs/runbook.md has one section per check id
 * (anchor `check-<id>`), plus one per advisor-level failure. Messages link the sections of the
 * checks they carry: to `alerts.runbookUrl` (your rendered copy, e.g. the repository's page on
 * your Git host) or, without one, to the path in the pgsteward repository.
 */
import type { Advisor, Notification } from '../report/types';

export const RUNBOOK_PATH = 'docs/runbook.md';
/** Links per message: a person reads the first few; the runbook's contents list the rest. */
const MAX_LINKS = 3;

const ADVISOR_ANCHORS: Partial<Record<Advisor, string>> = { advise: 'advise-failed', partitions: 'partitions-failed' };
/** Checks raised by the runners themselves rather than by a check family. */
const SPECIAL: Record<string, string> = { run_failed: 'check-run_failed', missed_run: 'check-missed_run' };

export function runbookAnchor(advisor: Advisor, check: string): string {
  if (SPECIAL[check]) return SPECIAL[check];
  return (advisor === 'health' ? undefined : ADVISOR_ANCHORS[advisor]) ?? `check-${check}`;
}

/** One link per distinct check among the firing notifications, most urgent first. */
export function runbookLinks(advisor: Advisor, notifications: Notification[], base?: string): string[] {
  const root = base ?? RUNBOOK_PATH;
  const anchors = [...new Set(notifications.filter((n) => n.state === 'firing').map((n) => runbookAnchor(advisor, n.check)))];
  return anchors.slice(0, MAX_LINKS).map((a) => `${root}#${a}`);
}
