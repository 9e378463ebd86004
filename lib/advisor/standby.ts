/**
 * Advising a hot standby (pg_is_in_recovery()). Its pg_stat_statements and index-usage counters
 * live in the standby's own shared memory, so they describe only the queries run on it (PostgreSQL
 * docs, pg_stat_statements: statistics are kept per server; "Hot Standby": statistics are
 * collected separately on the standby). HypoPG's hypothetical indexes are backend-private memory
 * and work during recovery (verified: test/integration/standby-advisors.test.ts); the trial
 * engine builds real indexes, which a read-only server refuses, so HypoPG is used instead.
 */
export const STANDBY_NOTE =
  'This server is a hot standby: pg_stat_statements and index usage here reflect only the queries run on this standby, not the primary\'s workload. ' +
  'Create recommended indexes on the primary (they replicate here); before dropping an index reported unused, check its use on the primary and other standbys.';

/** The what-if engine a standby can use, and why it differs from the one asked for. */
export function whatIfOnStandby(requested: 'hypopg' | 'trial'): { whatIf: 'hypopg'; changed?: string } {
  return requested === 'trial'
    ? { whatIf: 'hypopg', changed: 'whatIf "trial" builds real indexes, which a read-only standby refuses: hypothetical indexes (HypoPG) were used instead.' }
    : { whatIf: 'hypopg' };
}
