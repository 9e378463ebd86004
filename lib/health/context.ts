/** What every check family receives, and what it gives back. */
import type { HealthSettings } from '../config/resolve';
import type { Db } from '../pg/db';
import type { CheckId } from './catalog';
import type { Finding } from './finding';

export interface CheckContext {
  db: Db;
  settings: HealthSettings;
  /** What this family stored on the previous run (interval checks); empty on a first run or without state. */
  memory: Record<string, unknown>;
  now: Date;
  /**
   * Whether this run covers the server-wide part of `both`-scoped checks (xid_wraparound's
   * pg_database rows). False when another target on the same host:port covers the server.
   */
  instance: boolean;
}

/** A privilege the role lacks, with the statement that grants it (becomes a `permissions` finding). */
export interface MissingGrant {
  object: string;
  fix: string;
  message: string;
}

export interface FamilyResult {
  findings: Finding[];
  /** Replaces this family's memory in the state store. */
  memory?: Record<string, unknown>;
  missingGrants?: MissingGrant[];
}

/** A family of checks (pghero's one-file-per-family): one or two statements, several check ids. */
export interface CheckFamily {
  name: string;
  checks: CheckId[];
  run(ctx: CheckContext, enabled: Set<CheckId>): Promise<FamilyResult>;
}
