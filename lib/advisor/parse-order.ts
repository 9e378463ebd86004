/**
 * ORDER BY and GROUP BY items as columns. Both may name an output column by position
 * (`ORDER BY 2`) or by its alias; an index can only provide an order made of plain columns, so
 * the ORDER BY list stops at the first item that is not one.
 */
import type { Node } from 'libpg-query';
import { columnOf } from './parse-expr';
import { nodeAs, operatorName } from './parse-nodes';
import type { ColumnName, OrderItem, Output } from './parse-types';

/**
 * The column an item stands for: a column, an output position, or an output name. PostgreSQL
 * tries output names first for ORDER BY and input columns first for GROUP BY (docs, SELECT);
 * without the catalog, GROUP BY takes an output name only when it renames a column.
 */
function itemColumn(node: Node | undefined, outputs: Output[], outputFirst: boolean): ColumnName | undefined {
  const position = nodeAs(node, 'A_Const')?.ival;
  if (position) return outputs[(position.ival ?? 0) - 1]?.column;
  const col = columnOf(node);
  if (!col || col.qualifier !== undefined) return col;
  const out = outputs.find((o) => o.name === col.name);
  if (!out) return col;
  if (outputFirst) return out.column; // undefined for an expression: `ORDER BY total`
  return out.column && out.column.name !== out.name ? out.column : col;
}

export function orderItems(sortClause: Node[] | undefined, outputs: Output[]): OrderItem[] {
  const items: OrderItem[] = [];
  for (const n of sortClause ?? []) {
    const by = nodeAs(n, 'SortBy');
    const column = itemColumn(by?.node, outputs, true);
    if (!by || !column) break;
    let direction: OrderItem['direction'] = by.sortby_dir === 'SORTBY_DESC' ? 'desc' : 'asc';
    if (by.sortby_dir === 'SORTBY_USING') {
      const op = operatorName(by.useOp);
      if (op !== '<' && op !== '>') break;
      direction = op === '>' ? 'desc' : 'asc';
    }
    // PostgreSQL's defaults (docs, ORDER BY): NULLS LAST for ASC, NULLS FIRST for DESC.
    const nulls: OrderItem['nulls'] =
      by.sortby_nulls === 'SORTBY_NULLS_FIRST' ? 'first' : by.sortby_nulls === 'SORTBY_NULLS_LAST' ? 'last' : direction === 'desc' ? 'first' : 'last';
    items.push({ column, direction, nulls });
  }
  return items;
}

/** GROUP BY columns (ROLLUP, CUBE and GROUPING SETS are read but not listed). */
export function groupItems(groupClause: Node[] | undefined, outputs: Output[]): ColumnName[] {
  const cols: ColumnName[] = [];
  for (const n of groupClause ?? []) {
    const c = itemColumn(n, outputs, false);
    if (c) cols.push(c);
  }
  return cols;
}
