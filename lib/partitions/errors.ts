import { PgstewardError } from '../errors';

/**
 * A policy that cannot be applied to its table (unknown table, not range-partitioned, wrong key
 * column or type, sub-partitions). Names the policy so one bad entry is easy to find; the runner
 * records it and goes on with the other tables.
 */
export class PartitionPolicyError extends PgstewardError {
  constructor(readonly policy: string, problem: string) {
    super(`partition policy ${policy}: ${problem}`);
  }
}
