/**
 * FROM items (and UPDATE/DELETE targets, USING, UPDATE … FROM) → relation references of a
 * scope. Joins are flattened: their ON conjuncts count like WHERE conjuncts (an index on the
 * inner side of a nested loop serves them either way), USING becomes column equalities.
 */
import type { Alias, Node } from 'libpg-query';
import { names, nodeAs } from './parse-nodes';
import type { ScopeBuilder } from './parse-scope';
import type { QueryScope, RelationRef } from './parse-types';

function aliasOf(alias: Alias | undefined): Pick<RelationRef, 'alias' | 'columnAliases'> {
  const out: Pick<RelationRef, 'alias' | 'columnAliases'> = {};
  if (alias?.aliasname) out.alias = alias.aliasname;
  if (alias?.colnames?.length) out.columnAliases = names(alias.colnames);
  return out;
}

/** Adds the references `item` brings into scope `s`; returns their ids. */
export function addFromItem(b: ScopeBuilder, s: QueryScope, item: Node): number[] {
  const rv = nodeAs(item, 'RangeVar');
  if (rv) {
    const ref: RelationRef = { id: b.refId(), kind: 'relation', name: rv.relname ?? '', ...aliasOf(rv.alias) };
    if (rv.schemaname) ref.schema = rv.schemaname;
    s.relations.push(ref);
    return [ref.id];
  }

  const sub = nodeAs(item, 'RangeSubselect');
  if (sub) {
    // LATERAL or not, the subquery's parent is this scope: valid SQL only looks sideways when
    // it is LATERAL, so the looser rule resolves the same names.
    const scope = b.statement(sub.subquery, 'from', s.id, true).id;
    const ref: RelationRef = { id: b.refId(), kind: 'subquery', scope, ...aliasOf(sub.alias) };
    s.relations.push(ref);
    return [ref.id];
  }

  const join = nodeAs(item, 'JoinExpr');
  if (join) {
    const left = join.larg ? addFromItem(b, s, join.larg) : [];
    const right = join.rarg ? addFromItem(b, s, join.rarg) : [];
    for (const name of names(join.usingClause)) {
      // Read on both sides: the resolver marks join columns read.
      s.predicates.push({ kind: 'join', left: { name }, right: { name }, leftRefs: left, rightRefs: right });
    }
    if (join.isNatural) s.predicates.push({ kind: 'naturalJoin', leftRefs: left, rightRefs: right });
    b.where(s, join.quals);
    return [...left, ...right];
  }

  const sample = nodeAs(item, 'RangeTableSample');
  if (sample?.relation) {
    b.read(s, [sample.args, sample.repeatable]);
    return addFromItem(b, s, sample.relation);
  }

  // Functions, XMLTABLE, JSON_TABLE: columns the catalog does not describe. Their arguments may
  // read columns of earlier FROM items (LATERAL).
  const fn = nodeAs(item, 'RangeFunction');
  b.read(s, [fn ? fn.functions : item]);
  const alias = fn?.alias ?? nodeAs(item, 'RangeTableFunc')?.alias ?? nodeAs(item, 'JsonTable')?.alias;
  const ref: RelationRef = { id: b.refId(), kind: 'opaque', ...aliasOf(alias) };
  s.relations.push(ref);
  return [ref.id];
}
