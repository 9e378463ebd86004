/**
 * Accumulates the usage of one table reference while the resolver walks the statement
 * (ordered sets, so the output is deduplicated yet stable), then merges references per table.
 */
import type { OrderColumn, ResolvedTable, TableAccess, TableUsage } from './resolve-types';
import type { CatalogRelation } from './types';

export class Access {
  readonly equality = new Set<string>();
  readonly range = new Set<string>();
  readonly in = new Set<string>();
  readonly isNull = new Set<string>();
  readonly isNotNull = new Set<string>();
  readonly prefixLike = new Map<string, boolean>();
  readonly joinColumns = new Set<string>();
  readonly orColumns = new Set<string>();
  readonly groupBy = new Set<string>();
  readonly columnsRead = new Set<string>();
  readonly columnsWritten = new Set<string>();
  readonly constants = new Map<string, { column: string; sql: string }>();
  orderBy: OrderColumn[] = [];
  limit = false;
  readAll = false;

  constructor(
    readonly rel: CatalogRelation,
    readonly via: string[],
  ) {}

  addPrefixLike(column: string, certain: boolean): void {
    this.prefixLike.set(column, (this.prefixLike.get(column) ?? false) || certain);
  }

  addConstant(column: string, sql: string): void {
    this.constants.set(sql, { column, sql });
  }

  usage(): TableAccess {
    return {
      via: this.via,
      equality: [...this.equality],
      range: [...this.range],
      in: [...this.in],
      isNull: [...this.isNull],
      isNotNull: [...this.isNotNull],
      prefixLike: [...this.prefixLike].map(([column, certain]) => ({ column, certain })),
      joinColumns: [...this.joinColumns],
      orColumns: [...this.orColumns],
      orderBy: this.orderBy,
      limit: this.limit,
      groupBy: [...this.groupBy],
      columnsRead: this.readAll ? 'all' : [...this.columnsRead],
      columnsWritten: [...this.columnsWritten],
      constantPredicates: [...this.constants.values()],
    };
  }
}

function union<T>(lists: T[][], key: (t: T) => string = String): T[] {
  const seen = new Map<string, T>();
  for (const l of lists) for (const t of l) if (!seen.has(key(t))) seen.set(key(t), t);
  return [...seen.values()];
}

/** One entry per table, in the order tables were first met. */
export function mergeByTable(accesses: Access[]): ResolvedTable[] {
  const byOid = new Map<number, Access[]>();
  for (const a of accesses) byOid.set(a.rel.oid, [...(byOid.get(a.rel.oid) ?? []), a]);
  return [...byOid.values()].map((group) => {
    const rel = group[0].rel;
    const each = group.map((a) => a.usage());
    const pick = <K extends keyof TableUsage>(k: K) => each.map((u) => u[k]) as TableUsage[K][];
    const reads = pick('columnsRead');
    const prefix = new Map<string, boolean>();
    for (const p of pick('prefixLike').flat()) prefix.set(p.column, (prefix.get(p.column) ?? false) || p.certain);
    const table: ResolvedTable = {
      oid: rel.oid,
      schema: rel.schema,
      name: rel.name,
      kind: rel.kind,
      equality: union(pick('equality')),
      range: union(pick('range')),
      in: union(pick('in')),
      isNull: union(pick('isNull')),
      isNotNull: union(pick('isNotNull')),
      prefixLike: [...prefix].map(([column, certain]) => ({ column, certain })),
      joinColumns: union(pick('joinColumns')),
      orColumns: union(pick('orColumns').map((c) => c ?? [])),
      // Orders of different references cannot be combined: the first one found stands.
      orderBy: pick('orderBy').find((o) => o.length) ?? [],
      limit: pick('limit').some(Boolean),
      groupBy: union(pick('groupBy')),
      columnsRead: reads.includes('all') ? 'all' : union(reads as string[][]),
      columnsWritten: union(pick('columnsWritten')),
      constantPredicates: union(pick('constantPredicates'), (c) => c.sql),
      accesses: each,
    };
    if (rel.parentOid !== undefined) table.partitionOf = rel.parentOid;
    return table;
  });
}
