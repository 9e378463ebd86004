/**
 * The statements people run for a recommendation: `CREATE INDEX CONCURRENTLY` (no lock that
 * blocks writes), or for a partitioned parent the sequence PostgreSQL allows instead, since
 * CONCURRENTLY is refused on a partitioned table (PostgreSQL docs, CREATE INDEX, "Building
 * Indexes Concurrently"): an invalid index ON ONLY the parent, each partition's index built
 * CONCURRENTLY, then attached; the parent's index turns valid when the last is attached.
 */
import { quoteQualified } from '../pg/quote';
import type { LoadedCatalog } from './catalog';
import { createIndexSql, IndexDef, indexName } from './index-sql';

export function recommendationSql(def: IndexDef, catalog: LoadedCatalog): string {
  const parent = catalog.lookup(def.table.schema, def.table.name);
  const name = indexName(def);
  if (parent?.kind !== 'partitioned') return `${createIndexSql(def, { name, concurrently: true })};`;
  const lines = [`${createIndexSql(def, { name, only: true })};`];
  for (const leaf of leaves(parent.oid, catalog)) {
    const child: IndexDef = { ...def, table: { schema: leaf.schema, name: leaf.name } };
    const childName = indexName(child);
    lines.push(`${createIndexSql(child, { name: childName, concurrently: true })};`);
    lines.push(`ALTER INDEX ${quoteQualified(def.table.schema, name)} ATTACH PARTITION ${quoteQualified(leaf.schema, childName)};`);
  }
  return lines.join('\n');
}

/** Direct partitions; a sub-partitioned one gets its own ON ONLY step in a later version (noted). */
function leaves(oid: number, catalog: LoadedCatalog) {
  return catalog.relations.filter((r) => r.parentOid === oid && r.kind === 'table');
}
