/**
 * A hot standby is read-only (pg_is_in_recovery()): every CREATE/ATTACH/DETACH would fail with
 * "cannot execute … in a read-only transaction" (PostgreSQL docs, "Hot Standby": "transactions
 * … cannot write"). So a partitions run on a standby refuses before any DDL, one failed table per
 * policy with a finding that says to target the primary (or the writer endpoint on Aurora).
 */
import type { TableOutcome } from './maintain';

export function standbyMessage(host: string, port: number): string {
  return `${host}:${port} is a hot standby (pg_is_in_recovery() is true): partitions can only be created or retired on the primary, ` +
    `and the standby receives them by replication. Point this target at the primary (on RDS the instance endpoint, on Aurora the cluster's writer endpoint). No DDL was attempted.`;
}

/** One refused outcome per configured policy (its table as the config wrote it). */
export function refuseOnStandby(policies: Record<string, unknown>[], message: string): TableOutcome[] {
  return policies.map((raw) => {
    const table = typeof raw.table === 'string' ? raw.table : '(no table)';
    return {
      table: { table, status: 'failed', partitionsBefore: 0, partitionsAfter: 0, error: message },
      actions: [],
      partitions: [],
      findings: [{ table, check: 'maintenance_failed', severity: 'warning', message }],
    };
  });
}
