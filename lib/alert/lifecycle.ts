/**
 * The alert lifecycle, per key (target, check, object), in the manner of Prometheus'
 * Alertmanager: pending → firing (notify `new`) → `changed` / `repeat` → `resolved` (once).
 *
 * Pure: the previous entries and this run's findings in, the next entries and the transitions out.
 * Persisting (state-update.ts) and sending (message.ts, publish.ts) happen elsewhere, so the
 * whole policy can be read, and tested, here.
 */
import type { AlertSettings, Silence } from '../config/resolve';
import { SEVERITY_RANK, Severity } from '../health/catalog';
import type { Advisor, Notification } from '../report/types';
import { alertKey, globMatch } from './key';

/** One judged thing this run, as far as alerting cares (a health Finding fits). */
export interface AlertInput {
  check: string;
  object?: string;
  severity: Severity;
  message: string;
}

/** What the state remembers about one key between runs. Timestamps are ISO strings (JSON). */
export interface AlertEntry {
  target: string;
  check: string;
  object?: string;
  /** Severity and message seen on the last run that evaluated this key. */
  severity: Severity;
  message: string;
  /** Consecutive evaluated runs the key has been non-ok (compared with `settings.for`). */
  pendingRuns: number;
  firstSeenAt: string;
  /** When the key reached `for` runs, i.e. started firing (notified or silenced). */
  firingSince?: string;
  /** Set only when a notification was actually due to be published (not silenced). */
  lastNotifiedAt?: string;
  lastNotifiedSeverity?: Severity;
  lastSeenAt: string;
}

export interface EvaluateInput {
  target: string;
  advisor: Advisor;
  findings: AlertInput[];
  /** Checks that ran to completion this run: only their keys may resolve. */
  evaluatedChecks: string[];
  now: Date;
  settings: AlertSettings;
  /** Put before every subject, e.g. "[staging]". */
  subjectPrefix?: string;
}

export interface EvaluateResult {
  next: Record<string, AlertEntry>;
  notifications: Notification[];
}

export function evaluate(prev: Record<string, AlertEntry>, input: EvaluateInput): EvaluateResult {
  const { target, now, settings } = input;
  const nowIso = now.toISOString();
  // `for: 1` (the default) notifies on the first non-ok run; 0 or garbage means the same.
  const forRuns = Math.max(1, Math.floor(settings.for || 1));
  const evaluated = new Set(input.evaluatedChecks);
  const current = worstPerKey(target, input.findings);
  const next: Record<string, AlertEntry> = {};
  const notifications: Notification[] = [];

  const emit = (entry: AlertEntry, key: string, reason: Notification['reason'], severity: Severity, message: string): boolean => {
    const silence = findSilence(settings.silences, entry, now);
    const state = reason === 'resolved' ? 'resolved' : 'firing';
    notifications.push({
      key,
      target,
      check: entry.check,
      ...(entry.object !== undefined ? { object: entry.object } : {}),
      severity,
      state,
      reason,
      subject: subjectLine(input.subjectPrefix, state === 'resolved' ? 'RESOLVED' : severity.toUpperCase(), entry),
      message,
      ...(silence ? { silenced: { until: silence.until, reason: silence.reason } } : {}),
    });
    return !silence;
  };

  // 1. Keys seen non-ok this run: start, keep or escalate them.
  for (const [key, finding] of current) {
    if (finding.severity === 'ok') continue;
    const before = prev[key];
    const entry: AlertEntry = {
      target,
      check: finding.check,
      ...(finding.object !== undefined ? { object: finding.object } : {}),
      severity: finding.severity,
      message: finding.message,
      pendingRuns: (before?.pendingRuns ?? 0) + 1,
      firstSeenAt: before?.firstSeenAt ?? nowIso,
      lastSeenAt: nowIso,
    };
    if (before?.firingSince) entry.firingSince = before.firingSince;
    if (before?.lastNotifiedAt) {
      entry.lastNotifiedAt = before.lastNotifiedAt;
      entry.lastNotifiedSeverity = before.lastNotifiedSeverity;
    }
    if (entry.pendingRuns >= forRuns) entry.firingSince ??= nowIso;

    const reason = firingReason(entry, now, settings.repeatIntervalMs);
    if (reason && emit(entry, key, reason, entry.severity, entry.message)) {
      // A silenced transition is not "notified": when the silence ends, it is still due.
      entry.lastNotifiedAt = nowIso;
      entry.lastNotifiedSeverity = entry.severity;
    }
    next[key] = entry;
  }

  // 2. Keys remembered but not firing now (absent, or ok).
  for (const [key, before] of Object.entries(prev)) {
    if (key in next) continue;
    if (!evaluated.has(before.check) && !current.has(key)) {
      // The check did not run (database unreachable, check errored): absence proves nothing.
      next[key] = before;
      continue;
    }
    if (before.lastNotifiedAt) {
      const okFinding = current.get(key);
      const message = okFinding?.message ?? `No longer reported (was ${before.severity}: ${before.message})`;
      emit(before, key, 'resolved', 'ok', message);
    }
    // Resolved (notified or silenced) or pending-then-gone: the entry ends here either way.
  }

  notifications.sort(byUrgencyThenKey);
  return { next, notifications };
}

/** What, if anything, a non-ok entry should notify this run. */
function firingReason(entry: AlertEntry, now: Date, repeatIntervalMs: number): Notification['reason'] | undefined {
  if (!entry.firingSince) return undefined; // still pending: fewer than `for` runs
  if (!entry.lastNotifiedAt) return 'new';
  if (entry.severity !== entry.lastNotifiedSeverity) return 'changed';
  const since = now.getTime() - Date.parse(entry.lastNotifiedAt);
  if (repeatIntervalMs > 0 && since >= repeatIntervalMs) return 'repeat';
  return undefined;
}

/**
 * Several findings can share a key (a check reporting the same object twice): the key is as bad
 * as its worst finding, and the first worst one speaks for it, so the outcome is deterministic.
 */
function worstPerKey(target: string, findings: AlertInput[]): Map<string, AlertInput> {
  const out = new Map<string, AlertInput>();
  for (const f of findings) {
    const key = alertKey(target, f.check, f.object);
    const seen = out.get(key);
    if (!seen || SEVERITY_RANK[f.severity] > SEVERITY_RANK[seen.severity]) out.set(key, f);
  }
  return out;
}

/** The first active silence whose given fields all match (absent fields match everything). */
function findSilence(silences: Silence[], entry: AlertEntry, now: Date): Silence | undefined {
  return silences.find((s) => {
    const until = Date.parse(s.until);
    if (!(until > now.getTime())) return false; // expired, or an unparsable date: not active
    if (s.target !== undefined && !globMatch(s.target, entry.target)) return false;
    if (s.check !== undefined && !globMatch(s.check, entry.check)) return false;
    if (s.object !== undefined && !globMatch(s.object, entry.object ?? '')) return false;
    return true;
  });
}

/** e.g. `CRITICAL xid_wraparound on prod-db: database app` */
function subjectLine(prefix: string | undefined, label: string, entry: AlertEntry): string {
  const what = `${label} ${entry.check} on ${entry.target}${entry.object ? `: ${entry.object}` : ''}`;
  return prefix ? `${prefix} ${what}` : what;
}

/** Most severe first (resolutions, severity ok, last), then by key: stable across runs. */
export function byUrgencyThenKey(a: Notification, b: Notification): number {
  const bySeverity = SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity];
  if (bySeverity !== 0) return bySeverity;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
