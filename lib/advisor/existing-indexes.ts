/**
 * Judging the indexes a database already has: which candidate they already serve (never
 * recommend those), and which are unused, duplicate, redundant or invalid, each with a
 * `DROP INDEX CONCURRENTLY` and the caveats a developer should weigh before running it.
 * Pure: the catalog rows come from existing-indexes-load.ts.
 */
import { formatBytes } from '../config/units';
import { quoteQualified } from '../pg/quote';
import type { ExistingIndex, IndexKey } from './existing-indexes-load';
import type { IndexDef } from './index-sql';

export type IndexFindingKind = 'unused' | 'duplicate' | 'redundant' | 'invalid';

export interface IndexFinding {
  kind: IndexFindingKind;
  /** schema.name */
  index: string;
  table: string;
  sizeBytes: number;
  reason: string;
  statement: string;
}

export interface FindingOptions {
  /** Unused indexes smaller than this are not worth a finding. */
  unusedMinBytes: number;
  /** pg_stat_database.stats_reset (ISO), or null: when "unused" is counted from. */
  statsReset: string | null;
  /** The counters are a hot standby's: they miss the primary's scans. */
  onStandby?: boolean;
}

const plainBtree = (i: ExistingIndex) => i.method === 'btree' && i.valid && i.keys.every((k) => k.column !== undefined);

/**
 * The existing index that already serves a candidate: a valid btree whose leading keys are the
 * candidate's columns in order, in the same directions or all reversed (a btree scans both
 * ways), carrying its INCLUDE columns, and not more partial than the candidate.
 */
export function coveringIndex(candidate: IndexDef, existing: ExistingIndex[]): ExistingIndex | undefined {
  return existing.find((e) => {
    if (!sameTable(e, candidate) || !plainBtree(e) || e.partitioned) return false;
    if (e.predicate && e.predicate !== candidate.where) return false;
    if (e.keys.length < candidate.columns.length) return false;
    const forward = candidate.columns.every((c, i) => matches(e.keys[i], c.name, c.direction === 'desc', nullsFirst(c.direction, c.nulls)));
    const backward = candidate.columns.every((c, i) => matches(e.keys[i], c.name, c.direction !== 'desc', !nullsFirst(c.direction, c.nulls)));
    if (!forward && !backward) return false;
    const carried = new Set([...e.keys.map((k) => k.column!), ...e.include]);
    return (candidate.include ?? []).every((c) => carried.has(c));
  });
}

/** An index lives in its table's schema; `table` is the bare table name. */
function sameTable(e: ExistingIndex, c: IndexDef): boolean {
  return e.schema === c.table.schema && e.table === c.table.name;
}

function nullsFirst(direction: 'asc' | 'desc' | undefined, nulls: 'first' | 'last' | undefined): boolean {
  return nulls ? nulls === 'first' : direction === 'desc';
}

function matches(k: IndexKey | undefined, column: string, descending: boolean, first: boolean): boolean {
  return !!k && k.column === column && k.descending === descending && k.nullsFirst === first && k.opclassDefault !== false;
}

export function indexFindings(existing: ExistingIndex[], opts: FindingOptions): IndexFinding[] {
  const out: IndexFinding[] = [];
  const since = opts.statsReset ? `since the statistics were reset (${opts.statsReset})` : 'since statistics began';
  const caveat = opts.onStandby
    ? 'These are this standby\'s counters: usage on the primary and other standbys is not counted here: check them before dropping (on the primary).'
    : 'Usage on standbys is not counted here: check them before dropping.';
  // Indexes on partitions follow their partitioned parent index; judge the parent only.
  const judged = existing.filter((i) => i.parentOid === undefined);

  for (const i of judged.filter((x) => !x.valid)) {
    out.push(finding('invalid', i, `Invalid (a failed CREATE INDEX CONCURRENTLY or REINDEX): it is updated on every write and never used. Rebuild it if it is needed.`));
  }
  const droppable = (i: ExistingIndex) => !i.constraint && !i.unique && !i.primary && !i.exclusion && !i.replicaIdentity && !i.partitioned;

  for (const i of judged) {
    if (!i.valid || !droppable(i) || i.scans !== 0 || i.sizeBytes < opts.unusedMinBytes) continue;
    out.push(finding('unused', i, `No scans ${since}, and it costs ${formatBytes(i.sizeBytes)} plus work on every write. ${caveat}`));
  }

  const valid = judged.filter((i) => i.valid && !i.partitioned);
  const reported = new Set<number>();
  for (const a of valid) {
    for (const b of valid) {
      if (a === b || a.tableOid !== b.tableOid || a.method !== b.method || (a.predicate ?? '') !== (b.predicate ?? '') || reported.has(a.oid)) continue;
      const same = sameKeys(a.keys, b.keys) && sameSet(a.include, b.include);
      if (same) {
        // Keep the one a constraint needs, else the older (lower oid); report the other once.
        const keep = !droppable(a) ? a : !droppable(b) ? b : a.oid < b.oid ? a : b;
        const drop = keep === a ? b : a;
        if (drop !== a || !droppable(drop) || reported.has(drop.oid)) continue;
        reported.add(drop.oid);
        out.push(finding('duplicate', drop, `Same definition as ${keep.schema}.${keep.name}: one of them is enough.`));
      } else if (a.method === 'btree' && droppable(a) && isPrefix(a.keys, b.keys) && a.include.every((c) => b.keys.some((k) => k.column === c) || b.include.includes(c))) {
        reported.add(a.oid);
        out.push(finding('redundant', a, `Its keys are a prefix of ${b.schema}.${b.name}, which serves the same lookups (a little larger to scan). ${caveat}`));
      }
    }
  }
  return out;
}

function finding(kind: IndexFindingKind, i: ExistingIndex, reason: string): IndexFinding {
  const name = quoteQualified(i.schema, i.name);
  return {
    kind,
    index: `${i.schema}.${i.name}`,
    table: `${i.schema}.${i.table}`,
    sizeBytes: i.sizeBytes,
    reason,
    // CONCURRENTLY: no lock that blocks reads or writes of the table while it drops.
    statement: `DROP INDEX CONCURRENTLY IF EXISTS ${name};`,
  };
}

function keyId(k: IndexKey): string {
  return `${k.column ?? `(${k.expression})`}|${k.descending}|${k.nullsFirst}|${k.opclass ?? ''}`;
}

function sameKeys(a: IndexKey[], b: IndexKey[]): boolean {
  return a.length === b.length && a.every((k, i) => keyId(k) === keyId(b[i]));
}

function isPrefix(a: IndexKey[], b: IndexKey[]): boolean {
  return a.length < b.length && a.every((k, i) => keyId(k) === keyId(b[i]));
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
