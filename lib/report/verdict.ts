/**
 * One line per report, the same in the terminal, the history page and `pgsteward reports`:
 * a severity (for the colour and the mark) and a short text, e.g. "CRITICAL — 1 critical, 2 warning".
 * Pure; every advisor's report reads the same way in a list.
 */
import { Severity, worstSeverity } from '../health/catalog';
import type { Report } from './types';

export interface Verdict {
  severity: Severity;
  /** Without the target or advisor: the caller puts those in front. */
  text: string;
  /** e.g. "14 checks", "40 statements", "3 tables". */
  scope: string;
}

/** Errors of these stages mean the advisor itself could not do its work (not a delivery problem). */
const RUN_STAGES = new Set(['config', 'connect', 'check']);

export function verdict(r: Report): Verdict {
  switch (r.advisor) {
    case 'health': {
      const c = r.summary.counts;
      const bad = (['critical', 'warning', 'unknown'] as const).filter((s) => c[s]).map((s) => `${c[s]} ${s}`);
      const checks = new Set(r.findings.map((f) => f.check)).size;
      return { severity: r.summary.worst, text: `${r.summary.worst.toUpperCase()}${bad.length ? ` — ${bad.join(', ')}` : ''}`, scope: `${checks} checks` };
    }
    case 'advise': {
      const failed = r.errors.find((e) => RUN_STAGES.has(e.stage));
      const todo = r.recommendations.length + r.indexFindings.length;
      const text = failed
        ? `FAILED — ${failed.message}`
        : todo ? `${r.recommendations.length} index(es) to create, ${r.indexFindings.length} to drop or repair` : 'nothing to do';
      return { severity: failed ? 'critical' : todo ? 'warning' : 'ok', text, scope: `${r.summary.analysed} statements` };
    }
    case 'partitions': {
      const s = r.summary;
      const failed = r.errors.find((e) => RUN_STAGES.has(e.stage));
      const severity = worstSeverity([...r.findings.map((f) => f.severity), ...(s.failed || failed ? ['critical' as const] : [])]);
      const done = `${s.created} ${r.dryRun ? 'to create' : 'created'}, ${s.retired} ${r.dryRun ? 'to retire' : 'retired'}${s.skipped ? `, ${s.skipped} skipped` : ''}`;
      const text = `${s.failed ? `${s.failed} FAILED, ` : ''}${failed && !s.failed ? `FAILED — ${failed.message}` : done}${r.dryRun ? ' (dry run)' : ''}`;
      return { severity, text, scope: `${s.tables} table(s)` };
    }
  }
}
