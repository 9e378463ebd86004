/**
 * Per-statement mean execution time, as this run measured it (pg_stat_statements over the
 * counters' interval): stored on each recommendation's statements so that tomorrow's digest can
 * compare, and looked up for the statements of recommendations applied since the previous run.
 */
import type { CollectedStatement, SkippedStatement } from '../advisor/types';
import type { IndexRecommendation } from '../report/types';
import type { TodayMean } from './applied';

/** Means at microsecond precision: enough to tell 0.05 ms from 0.5 ms, short in JSON. */
export const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

/** The recommendations with each statement's measured mean added (when the run measured it). */
export function withMeans(recommendations: IndexRecommendation[], ranked: CollectedStatement[]): IndexRecommendation[] {
  const mean = new Map(ranked.map((s) => [s.queryid, s.meanExecMs]));
  return recommendations.map((r) => ({
    ...r,
    statements: r.statements.map((s) => (mean.has(s.queryid) ? { ...s, meanTimeMs: round3(mean.get(s.queryid)!) } : s)),
  }));
}

/**
 * This run's mean for a statement. A statement the index made fast may fall below
 * `advise.minMeanTimeMs` and leave the ranking: that is the effect, said as such rather than
 * as a number we do not have.
 */
export function todayMeans(ranked: CollectedStatement[], skipped: SkippedStatement[]): TodayMean {
  const mean = new Map(ranked.map((s) => [s.queryid, s.meanExecMs]));
  const below = new Set(skipped.filter((s) => s.reason === 'below-min-mean-time' && s.queryid).map((s) => s.queryid!));
  return (queryid) => {
    if (mean.has(queryid)) return { afterMs: round3(mean.get(queryid)!) };
    return { after: below.has(queryid) ? 'below-min-mean-time' : 'not-seen' };
  };
}
