/**
 * Aurora PostgreSQL: the writer and its replicas share one storage volume, so replicas do not
 * stream WAL the way a PostgreSQL standby does. pg_stat_replication on the writer does not list
 * them, and on a reader pg_last_wal_receive_lsn()/pg_last_xact_replay_timestamp() say nothing
 * useful (AWS docs, "Replication with Amazon Aurora PostgreSQL": replica lag is reported by
 * aurora_replica_status() and the CloudWatch metric AuroraReplicaLag). Aurora is recognised by
 * its aurora_version() function, which plain PostgreSQL and RDS for PostgreSQL lack.
 * See docs/managed-services.md for what else differs.
 */
import type { Db } from '../pg/db';
import type { CheckId } from './catalog';
import type { Finding } from './finding';
import { okFinding } from './judge';

const AURORA_SQL = `select exists (select 1 from pg_proc where proname = 'aurora_version') as aurora`;

/** Checks whose PostgreSQL queries do not describe Aurora, and what to look at instead. */
export const AURORA_SKIPS: Partial<Record<CheckId, string>> = {
  replication_lag:
    'Aurora PostgreSQL: replicas share the cluster volume and do not stream WAL, so PostgreSQL\'s replication lag does not apply. ' +
    'Watch the CloudWatch metric AuroraReplicaLag, or: SELECT server_id, replica_lag_in_msec FROM aurora_replica_status();',
};

/** Which enabled checks to run on this server, and the ok findings that explain the ones skipped. Pure. */
export function adaptForAurora(enabled: Set<CheckId>, aurora: boolean): { run: Set<CheckId>; skipped: Finding[] } {
  if (!aurora) return { run: enabled, skipped: [] };
  const run = new Set(enabled);
  const skipped: Finding[] = [];
  for (const [check, why] of Object.entries(AURORA_SKIPS) as [CheckId, string][]) {
    if (!run.delete(check)) continue;
    skipped.push(okFinding(check, why, undefined, { detail: { skipped: 'aurora' } }));
  }
  return { run, skipped };
}

/** Asked only when a check that Aurora changes is enabled: one catalog lookup. */
export async function isAurora(db: Db, enabled: Set<CheckId>): Promise<boolean> {
  if (!Object.keys(AURORA_SKIPS).some((c) => enabled.has(c as CheckId))) return false;
  const [r] = await db.query<{ aurora: boolean }>(AURORA_SQL);
  return r.aurora;
}
