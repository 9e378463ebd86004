/** SQL identifier quoting: every identifier pgsteward puts into SQL text goes through here. */

/** Always quotes, exactly like PostgreSQL's quote_ident() would for a name that needs it. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('identifier contains a NUL byte');
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."name"`. */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** For display only: leaves simple lower-case names bare, as psql shows them. */
export function displayIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : quoteIdent(name);
}

export function displayQualified(schema: string, name: string): string {
  return schema === 'public' ? displayIdent(name) : `${displayIdent(schema)}.${displayIdent(name)}`;
}
