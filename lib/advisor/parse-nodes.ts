/**
 * Small typed accessors over libpg-query's JSON AST. Every node is a one-key object
 * (`{ColumnRef: {...}}`); these helpers unwrap a node of an expected kind, read the `String`
 * lists PostgreSQL uses for names, and walk a subtree generically.
 */
import type { Node } from 'libpg-query';

type NodeKey = Node extends infer U ? (U extends Record<infer K, unknown> ? K : never) : never;
type NodeBody<K extends NodeKey> = Extract<Node, Record<K, unknown>>[K];

/** The body of `node` when it is a `kind` node, else undefined. */
export function nodeAs<K extends NodeKey>(node: Node | undefined, kind: K): NodeBody<K> | undefined {
  if (!node || typeof node !== 'object' || !(kind in node)) return undefined;
  return (node as Record<string, unknown>)[kind] as NodeBody<K>;
}

/** The node's kind (its only key). */
export function nodeKind(node: Node | undefined): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  for (const k in node) return k;
  return undefined;
}

/** `[{String: {sval}}…]` → ['…']; A_Star becomes '*'. */
export function names(list: Node[] | undefined): string[] {
  return (list ?? []).map((n) => nodeAs(n, 'String')?.sval ?? (nodeAs(n, 'A_Star') ? '*' : ''));
}

/** The operator name of an A_Expr (`=`, `<`, `~~`…), ignoring an OPERATOR(schema.op) qualifier. */
export function operatorName(list: Node[] | undefined): string {
  const n = names(list);
  return n[n.length - 1] ?? '';
}

/**
 * Depth-first walk over every node under `value` (objects and arrays alike). `visit` returns
 * false to skip a node's children: subqueries are analysed as scopes of their own.
 */
export function walk(value: unknown, visit: (kind: string, body: Record<string, unknown>, node: Node) => boolean | void): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, visit);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  for (const k in obj) {
    const body = obj[k];
    if (!body || typeof body !== 'object') continue;
    // A node is a one-key object whose key is capitalised (`A_Expr`, `ColumnRef`); other
    // objects are plain fields (`typeName`, `alias`) that can hold nodes further down.
    const c = k.charCodeAt(0);
    if (c >= 65 && c <= 90 && !Array.isArray(body) && visit(k, body as Record<string, unknown>, obj as Node) === false) continue;
    walk(body, visit);
  }
}
