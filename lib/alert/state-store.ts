/**
 * Where state documents live between runs, with optimistic concurrency: every load returns an
 * opaque version, and a save succeeds only if the stored version is still that one. Two runs of
 * the same target that overlap (a slow scheduled run and an on-demand one) therefore cannot
 * overwrite each other's alert claims; the loser re-reads and re-applies (state-update.ts).
 *
 * Implementations: state-store-local.ts (a directory, for the CLI) and state-store-s3.ts.
 */
import { PgstewardError } from '../errors';

export interface LoadedState {
  /** Parsed JSON; the raw text when it does not parse (migrateState reports it); absent when none. */
  doc?: unknown;
  /** Opaque; pass it back to save(). Absent when there is no document. */
  version?: string;
}

export interface StateStore {
  /** `name` is a relative path such as `health/prod-db` (no `.json`). */
  load(name: string): Promise<LoadedState>;
  /**
   * Writes `doc` as JSON if the stored version is `expectedVersion`, or, when that is undefined,
   * only if no document exists yet. Otherwise throws StateConflictError.
   */
  save(name: string, doc: unknown, expectedVersion?: string): Promise<void>;
}

/** Someone else wrote the document since we read it (or holds its lock): re-read and retry. */
export class StateConflictError extends PgstewardError {
  readonly stateName: string;
  constructor(stateName: string, detail: string, options?: { cause?: unknown }) {
    super(`state ${stateName} changed underneath us: ${detail}`, options);
    this.stateName = stateName;
  }
}

/**
 * Names become file paths and S3 keys: keep them relative and free of `..`, so a target id can
 * never write outside the state directory or prefix.
 */
export function checkStateName(name: string): string {
  const parts = name.split('/');
  const bad = !name || name.includes('\\') || name.includes('\0') || parts.some((p) => p === '' || p === '.' || p === '..');
  if (bad) throw new PgstewardError(`invalid state name ${JSON.stringify(name)}: expected relative segments like "health/prod-db"`);
  return name;
}

/** JSON text, or the text itself when it does not parse (so migrateState can say why). */
export function parseStored(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
