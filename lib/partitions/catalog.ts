/**
 * Reads, for one policy's parent, what the planner needs: that it exists and is range-partitioned
 * on the policy's column, every partition with its real bounds, the DEFAULT partition's rows, and
 * for id policies the current max id. Two statements at most (catalog, then one bounded probe).
 */
import { Db, quoteIdent, quoteQualified } from '../pg';
import { QueryCanceledError } from '../pg/errors';
import { CATALOG_SQL } from './catalog-sql';
import { PartitionPolicyError } from './errors';
import { namePrefix } from './naming';
import { PartitionPolicy } from './policy';
import { CatalogSnapshot, ExistingPartition, KeyKind } from './types';

/**
 * The probe (max id, the default partition's min/max key) may have to read rows: it gets this
 * long, then we fall back to planner statistics. max() of an indexed column is an index
 * endpoint lookup; without an index it scans one partition, which this bounds.
 */
export const PROBE_TIMEOUT_MS = 5_000;

const KIND_BY_REGTYPE: Record<string, KeyKind> = {
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  date: 'date',
  smallint: 'integer',
  integer: 'integer',
  bigint: 'integer',
};

export interface CatalogRow {
  schema: string;
  table: string;
  relkind: string;
  partstrat: string | null;
  key_columns: string[] | null;
  key_column: string | null;
  key_regtype: string | null;
  key_type: string | null;
  partitions: Array<{ schema: string; name: string; sub: boolean; is_default: boolean; reltuples: number; from: string | null; to: string | null; from_key: string | null; to_key: string | null }>;
  taken: string[];
}

const STRATEGY: Record<string, string> = { l: 'list', h: 'hash', r: 'range' };

/** Judges the catalog row against the policy (pure): every refusal names the policy. */
export function interpretCatalog(policy: PartitionPolicy, row: CatalogRow | undefined): CatalogSnapshot {
  const fail = (problem: string): never => {
    throw new PartitionPolicyError(policy.label, problem);
  };
  if (!row) return fail('table not found (check the name, its schema and quoting: "Ops"."Audit Log")');
  if (row.relkind !== 'p') return fail(`${row.schema}.${row.table} is not a partitioned table (create it with PARTITION BY RANGE (${policy.column}))`);
  if (row.partstrat !== 'r') return fail(`${row.schema}.${row.table} is ${STRATEGY[row.partstrat ?? ''] ?? 'not range'}-partitioned; only RANGE partitioning is maintained`);
  const keys = row.key_columns ?? [];
  if (keys.length !== 1 || !row.key_column) return fail(`the partition key is (${keys.join(', ')}); only a single-column key is maintained`);
  if (row.key_column !== policy.column) return fail(`column ${JSON.stringify(policy.column)} is not the partition key (the key is ${JSON.stringify(row.key_column)})`);
  const keyKind = KIND_BY_REGTYPE[row.key_regtype ?? ''];
  if (!keyKind) return fail(`the key ${row.key_column} is ${row.key_type}; expected timestamptz, timestamp, date or an integer`);
  if (policy.interval.kind === 'id' && keyKind !== 'integer') return fail(`an integer interval needs an integer key, but ${row.key_column} is ${row.key_type}`);
  if (policy.interval.kind === 'time' && keyKind === 'integer') return fail(`a time interval needs a time key, but ${row.key_column} is ${row.key_type}; give an integer width`);
  if (policy.interval.kind === 'time' && keyKind === 'date' && (policy.interval.unit === 'hour' || policy.interval.unit === 'minute')) {
    return fail(`a date key cannot be partitioned by ${policy.interval.unit}s`);
  }
  const sub = row.partitions.filter((p) => p.sub).map((p) => p.name);
  if (sub.length) return fail(`sub-partitioned partitions are not maintained (${sub.join(', ')})`);
  const partitions: ExistingPartition[] = row.partitions.map((p) => ({
    schema: p.schema,
    name: p.name,
    isDefault: p.is_default,
    from: p.from,
    to: p.to,
    fromKey: p.from_key === null ? null : BigInt(p.from_key),
    toKey: p.to_key === null ? null : BigInt(p.to_key),
    // PG 14+: -1 means never analyzed (https://www.postgresql.org/docs/current/catalog-pg-class.html).
    estimatedRows: p.reltuples < 0 ? null : p.reltuples,
    subPartitioned: p.sub,
  }));
  const def = partitions.find((p) => p.isDefault);
  return {
    schema: row.schema,
    table: row.table,
    keyColumn: row.key_column,
    keyType: row.key_type!,
    keyKind,
    partitions,
    defaultPartition: def ? { name: def.name, estimatedRows: def.estimatedRows, minKey: null, maxKey: null, probed: false } : null,
    maxId: null,
    takenNames: row.taken,
  };
}

function keyOfColumn(kind: KeyKind, expr: string): string {
  return kind === 'integer' ? `${expr}::bigint` : `(extract(epoch from ${expr}) * 1000000)::bigint`;
}

/**
 * The probe, one statement: the default partition's min/max key, and the current max id read
 * from the newest partitions first. COALESCE stops at the first non-null argument and an
 * uncorrelated sub-select is an InitPlan run only when first needed
 * (https://www.postgresql.org/docs/current/functions-conditional.html#FUNCTIONS-COALESCE-NVL-IFNULL),
 * so partitions older than the newest non-empty one are never read; the default partition may
 * hold any id, so it is always included.
 */
export function probeSql(snap: CatalogSnapshot, wantMaxId: boolean): string | undefined {
  const col = quoteIdent(snap.keyColumn);
  const def = snap.partitions.find((p) => p.isDefault);
  const parts: string[] = [];
  const defRef = def ? quoteQualified(def.schema, def.name) : undefined;
  parts.push(defRef ? `(select ${keyOfColumn(snap.keyKind, `min(${col})`)} from only ${defRef})::text as default_min` : 'null::text as default_min');
  parts.push(defRef ? `(select ${keyOfColumn(snap.keyKind, `max(${col})`)} from only ${defRef})::text as default_max` : 'null::text as default_max');
  if (wantMaxId) {
    const newestFirst = snap.partitions
      .filter((p) => !p.isDefault)
      .sort((a, b) => (a.toKey === null ? -1 : b.toKey === null ? 1 : a.toKey > b.toKey ? -1 : a.toKey < b.toKey ? 1 : 0))
      .map((p) => `(select max(${col})::bigint from only ${quoteQualified(p.schema, p.name)})`);
    const ranged = newestFirst.length ? `coalesce(${newestFirst.join(', ')})` : 'null::bigint';
    parts.push(`greatest(${ranged}, ${defRef ? `(select max(${col})::bigint from only ${defRef})` : 'null::bigint'})::text as max_id`);
  }
  if (!defRef && !wantMaxId) return undefined;
  return `select ${parts.join(', ')}`;
}

/**
 * Fallback when the probe times out: the largest histogram bound of the key across partitions
 * (pg_stats, https://www.postgresql.org/docs/current/view-pg-stats.html). It lags behind recent
 * inserts by up to one ANALYZE, so premake still covers the gap in practice.
 */
const STATS_MAX_SQL = `
select max(((s.histogram_bounds::text::text[])[array_upper(s.histogram_bounds::text::text[], 1)])::bigint)::text as max_id
from pg_stats s
where s.schemaname = any($1::text[]) and s.tablename = any($2::text[]) and s.attname = $3::text`;

export async function readCatalog(db: Db, policy: PartitionPolicy): Promise<CatalogSnapshot> {
  const rows = await db.query<CatalogRow>(CATALOG_SQL, [policy.schema ?? null, policy.table, namePrefix(policy)]);
  const snap = interpretCatalog(policy, rows[0]);
  const wantMaxId = policy.interval.kind === 'id';
  const sql = probeSql(snap, wantMaxId);
  if (!sql) return snap;
  try {
    const [r] = await db.transaction(async () => {
      // set_config(..., true) = SET LOCAL: the limit ends with this transaction.
      await db.query(`select set_config('statement_timeout', $1, true)`, [String(PROBE_TIMEOUT_MS)]);
      return db.query<{ default_min: string | null; default_max: string | null; max_id?: string | null }>(sql);
    });
    if (snap.defaultPartition) {
      snap.defaultPartition.minKey = r.default_min === null ? null : BigInt(r.default_min);
      snap.defaultPartition.maxKey = r.default_max === null ? null : BigInt(r.default_max);
      snap.defaultPartition.probed = true;
    }
    if (wantMaxId && r.max_id != null) snap.maxId = BigInt(r.max_id);
  } catch (err) {
    if (!(err instanceof QueryCanceledError)) throw err;
    if (wantMaxId) {
      const names = snap.partitions.map((p) => p.name);
      const [s] = await db.query<{ max_id: string | null }>(STATS_MAX_SQL, [snap.partitions.map((p) => p.schema), names, snap.keyColumn]);
      snap.maxId = s?.max_id == null ? null : BigInt(s.max_id);
    }
  }
  return snap;
}
