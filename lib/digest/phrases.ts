/** Phrases both renderers share, so email and Slack say the same thing in the same words. */
import type { AppliedRecommendation } from '../report/types';
import { ms, times } from './text';
import type { Digest } from './types';

/** `mean 12.3 ms -> 0.052 ms (237x faster)`, or why there is no after figure. */
export function effectText(s: AppliedRecommendation['statements'][number], arrow = '->'): string {
  const before = s.beforeMs !== undefined ? ms(s.beforeMs) : 'unknown';
  if (s.afterMs === undefined) {
    return s.after === 'below-min-mean-time'
      ? `mean ${before} ${arrow} below advise.minMeanTimeMs (too fast to rank)`
      : `mean ${before} before; not run since`;
  }
  const change = s.beforeMs && s.afterMs > 0
    ? s.afterMs < s.beforeMs ? ` (${times(s.beforeMs / s.afterMs)} faster)` : s.afterMs > s.beforeMs ? ` (${times(s.afterMs / s.beforeMs)} slower)` : ' (unchanged)'
    : '';
  return `mean ${before} ${arrow} ${ms(s.afterMs)}${change}`;
}

/** `3 to do, 1 applied, 2 slower, 1 health alert` (only what is there). */
export function headline(d: Digest): string {
  const todo = d.todo.length + d.moreTodo;
  const badTables = d.partitions?.tables.filter((t) => t.status !== 'ok').length ?? 0;
  const parts = [
    d.problems.length ? 'advise failed' : '',
    todo ? `${todo} to do` : '',
    d.applied.length ? `${d.applied.length} applied` : '',
    d.regressed.length ? `${d.regressed.length} slower` : '',
    d.newStatements.length ? `${d.newStatements.length} new statement${d.newStatements.length === 1 ? '' : 's'}` : '',
    badTables ? `${badTables} partition table${badTables === 1 ? '' : 's'} at risk` : '',
    d.health.length ? `${d.health.length} health alert${d.health.length === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return parts.join(', ') || 'all quiet';
}

