/** Judging a measured value against a check's thresholds, and the small helpers every family shares. */
import { CHECKS, CheckId, Severity, Thresholds } from './catalog';
import type { Finding } from './finding';

export interface Verdict {
  severity: Severity;
  /** The threshold crossed (or the warning one when ok). */
  threshold?: number;
}

/** Higher-is-worse: value >= threshold crosses it. Lower-is-worse (cache hit ratio): value < threshold. */
export function judge(id: CheckId, value: number, t: Thresholds): Verdict {
  const lowerIsWorse = CHECKS[id].worse === 'lower';
  const crosses = (limit: number | undefined) =>
    limit !== undefined && (lowerIsWorse ? value < limit : value >= limit);
  if (crosses(t.critical)) return { severity: 'critical', threshold: t.critical };
  if (crosses(t.warning)) return { severity: 'warning', threshold: t.warning };
  return { severity: 'ok', threshold: t.warning ?? t.critical };
}

/** The single finding a check emits when nothing crossed a threshold. */
export function okFinding(check: CheckId, message: string, value?: number, extra: Partial<Finding> = {}): Finding {
  return { check, severity: 'ok', message, ...(value !== undefined ? { value } : {}), ...extra };
}

/**
 * Keeps the `max` worst findings and folds the rest into one `other …` finding, so a storm of
 * 500 blocked sessions is one readable alert instead of 500.
 */
export function capFindings(findings: Finding[], max: number, what = 'objects'): Finding[] {
  if (findings.length <= max) return findings;
  const rank: Record<Severity, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };
  const sorted = [...findings].sort((a, b) => rank[b.severity] - rank[a.severity] || (b.value ?? 0) - (a.value ?? 0));
  const kept = sorted.slice(0, max);
  const rest = sorted.slice(max);
  const worst = rest.reduce<Severity>((w, f) => (rank[f.severity] > rank[w] ? f.severity : w), 'ok');
  kept.push({
    check: findings[0].check,
    severity: worst,
    object: `other ${what}`,
    value: rest.length,
    message: `…and ${rest.length} more ${what} over the threshold (${rest.map((f) => f.object).filter(Boolean).slice(0, 5).join(', ')}${rest.length > 5 ? ', …' : ''})`,
  });
  return kept;
}

/** "7m 12s", "2h 05m", "3d 4h": durations people read in an alert. */
export function humanSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** 1234567890 → "1.23 billion"; counts people compare with a limit. */
export function humanCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} billion`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} million`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  return String(n);
}
