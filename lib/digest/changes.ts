/**
 * What changed since the previous advise report of the same target. Pure.
 *  - new top statements: in today's topStatements, not in the previous one's (by queryid);
 *  - regressed: in both, mean time up by more than REGRESSION_FACTOR;
 *  - applied: recommendations whose index now exists (found by the run, see applied.ts), with
 *    the statement texts added for people.
 * A report without topStatements (written before they existed) compares nothing, rather than
 * calling every statement new.
 */
import type { AdviseReport, TopStatement } from '../report/types';
import type { AppliedEffect, Regression } from './types';

/** "Mean time rose by more than 50%" (issue 6). */
export const REGRESSION_FACTOR = 1.5;
/**
 * Means under a millisecond swing with caching and plan noise and cost nobody a page; the same
 * floor as advise's `minMeanTimeMs` default (statements faster on average are not advised on).
 */
export const REGRESSION_MIN_MS = 1;

export interface Changes {
  compared: boolean;
  newStatements: TopStatement[];
  regressed: Regression[];
  applied: AppliedEffect[];
}

export function changesSince(today: AdviseReport, previous: AdviseReport | undefined): Changes {
  const applied = appliedEffects(today, previous);
  if (!previous?.topStatements || !today.topStatements) return { compared: Boolean(previous), newStatements: [], regressed: [], applied };
  const before = new Map(previous.topStatements.map((s) => [s.queryid, s]));
  const newStatements = today.topStatements.filter((s) => !before.has(s.queryid));
  const regressed: Regression[] = [];
  for (const s of today.topStatements) {
    const b = before.get(s.queryid);
    if (!b || !(b.meanTimeMs > 0) || s.meanTimeMs < REGRESSION_MIN_MS) continue;
    const factor = s.meanTimeMs / b.meanTimeMs;
    if (factor > REGRESSION_FACTOR) regressed.push({ queryid: s.queryid, query: s.query, beforeMs: b.meanTimeMs, afterMs: s.meanTimeMs, factor });
  }
  regressed.sort((a, b) => b.factor - a.factor);
  return { compared: true, newStatements, regressed, applied };
}

function appliedEffects(today: AdviseReport, previous: AdviseReport | undefined): AppliedEffect[] {
  const texts = new Map<string, string>();
  for (const s of [...(previous?.topStatements ?? []), ...(today.topStatements ?? [])]) texts.set(s.queryid, s.query);
  return (today.applied ?? []).map((a) => ({
    ...a,
    texts: Object.fromEntries(a.statements.filter((s) => texts.has(s.queryid)).map((s) => [s.queryid, texts.get(s.queryid)!])),
  }));
}
