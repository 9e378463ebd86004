/**
 * Quiet health runs: most five-minute runs find what the previous one found. Such a run (same
 * verdicts as the last written report, nothing to alert, no error) writes no report files until
 * `health.unchangedReportEvery` after that report; the state document it writes anyway records
 * that it ran, which is what the missed-run watchdog reads (lib/runner/fleet.ts). The verdicts
 * are check, object and severity, not the numbers: 41% connections after 40% is not news, and
 * the hourly report still shows the numbers.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../health/finding';

/** The state memory key. */
export const LAST_REPORT_KEY = 'lastReport';

/** Kept in the state's memory between runs. */
export interface LastReport {
  fingerprint: string;
  /** ISO start of the run that wrote it. */
  at: string;
}

export function verdictFingerprint(findings: Finding[]): string {
  const verdicts = findings.map((f) => `${f.check}\u0000${f.object ?? ''}\u0000${f.severity}`).sort();
  return createHash('sha256').update(verdicts.join('\n')).digest('hex').slice(0, 32);
}

/**
 * Before the alert claim: may this run stay quiet, and what the memory should remember as the
 * last report. A quiet candidate still writes its report when the claim yields a notification.
 */
export function quietCandidate(input: { last: unknown; findings: Finding[]; hadErrors: boolean; started: Date; everyMs: number; hasState: boolean }): { quiet: boolean; remember: LastReport } {
  const fingerprint = verdictFingerprint(input.findings);
  const fresh: LastReport = { fingerprint, at: input.started.toISOString() };
  const last = parseLast(input.last);
  if (!input.hasState || input.everyMs <= 0 || input.hadErrors || !last || last.fingerprint !== fingerprint) return { quiet: false, remember: fresh };
  const age = input.started.getTime() - Date.parse(last.at);
  if (!(age >= 0 && age < input.everyMs)) return { quiet: false, remember: fresh };
  return { quiet: true, remember: last };
}

function parseLast(raw: unknown): LastReport | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { fingerprint, at } = raw as Record<string, unknown>;
  return typeof fingerprint === 'string' && typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? { fingerprint, at } : undefined;
}
