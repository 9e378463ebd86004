/**
 * Parses a table name written as SQL would write it: `audit_log`, `ops.audit_log`,
 * `"Ops"."Audit Log"`, `public."x.y"`. Follows PostgreSQL's lexical rules
 * (https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS):
 * unquoted names fold to lower case, quoted names keep their case and may hold any character
 * (a `""` inside stands for one `"`), dots separate parts only outside quotes.
 */

/** NAMEDATALEN - 1: PostgreSQL silently truncates longer identifiers; we refuse them instead. */
export const MAX_IDENTIFIER_BYTES = 63;

export interface QualifiedName {
  /** Undefined when the name was written unqualified (resolved through search_path). */
  schema?: string;
  name: string;
}

export class IdentifierSyntaxError extends Error {}

/** An unquoted identifier starts with a letter (any non-ASCII counts) or `_`, then letters, digits, `_`, `$`. */
const START = /[A-Za-z_\u0080-\uFFFF]/;
const PART = /[A-Za-z0-9_$\u0080-\uFFFF]/;

export function parseQualifiedName(text: string): QualifiedName {
  const parts: string[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  for (;;) {
    skipSpace();
    if (i >= text.length) throw new IdentifierSyntaxError(`expected a name in ${JSON.stringify(text)}`);
    let part = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new IdentifierSyntaxError(`unterminated quoted identifier in ${JSON.stringify(text)}`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i++];
      }
      // PostgreSQL: "zero-length delimited identifier" is an error.
      if (part === '') throw new IdentifierSyntaxError(`empty quoted identifier in ${JSON.stringify(text)}`);
    } else {
      if (!START.test(text[i])) throw new IdentifierSyntaxError(`unexpected ${JSON.stringify(text[i])} in ${JSON.stringify(text)}`);
      while (i < text.length && PART.test(text[i])) part += text[i++];
      // Only ASCII letters fold, as in PostgreSQL's downcase_identifier() under UTF-8.
      part = part.replace(/[A-Z]+/g, (s) => s.toLowerCase());
    }
    if (Buffer.byteLength(part, 'utf8') > MAX_IDENTIFIER_BYTES) {
      throw new IdentifierSyntaxError(`identifier ${JSON.stringify(part)} is longer than ${MAX_IDENTIFIER_BYTES} bytes (PostgreSQL would truncate it)`);
    }
    if (part.includes('\0')) throw new IdentifierSyntaxError('identifier contains a NUL byte');
    parts.push(part);
    skipSpace();
    if (i >= text.length) break;
    if (text[i] !== '.') throw new IdentifierSyntaxError(`unexpected ${JSON.stringify(text[i])} in ${JSON.stringify(text)}`);
    i++;
  }
  if (parts.length > 2) throw new IdentifierSyntaxError(`expected [schema.]table, got ${parts.length} parts in ${JSON.stringify(text)}`);
  return parts.length === 2 ? { schema: parts[0], name: parts[1] } : { name: parts[0] };
}
