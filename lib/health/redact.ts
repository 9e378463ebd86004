/**
 * Replaces literals in a query text with `?` before it goes into a report or a Slack message:
 * strings ('…', E'…', $tag$…$tag$), numbers and bit/hex strings. Identifiers ("…"), keywords,
 * comments and $n parameters are kept so the statement stays recognisable.
 *
 * A hand-written scanner rather than the real parser on purpose: pg_stat_activity truncates
 * texts at track_activity_query_size (1 kB by default), and a truncated statement does not
 * parse; the scanner redacts it anyway, including an unterminated string at the cut.
 */
export function redactLiterals(sql: string): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    // -- line comment and /* block comment */ (kept as is)
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    // "quoted identifier"
    if (c === '"') {
      let j = i + 1;
      while (j < n && !(sql[j] === '"' && sql[j + 1] !== '"')) j += sql[j] === '"' ? 2 : 1;
      out += sql.slice(i, Math.min(j + 1, n));
      i = j + 1;
      continue;
    }
    // E'…' / B'…' / X'…' / U&'…' prefixes belong to the literal.
    const prefix = /^(?:[eEbBxXnN]|[uU]&)'/.exec(sql.slice(i, i + 3));
    if ((c === "'" || prefix) && !isIdentChar(sql[i - 1])) {
      const start = prefix ? i + prefix[0].length - 1 : i;
      const escapes = prefix ? /^[eE]/.test(prefix[0]) : false;
      i = skipString(sql, start, escapes);
      out += '?';
      continue;
    }
    // $tag$ … $tag$ (but not $1 parameters)
    if (c === '$' && !isIdentChar(sql[i - 1])) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? n : end + tag[0].length;
        out += '?';
        continue;
      }
      const param = /^\$\d+/.exec(sql.slice(i));
      if (param) {
        out += param[0];
        i += param[0].length;
        continue;
      }
    }
    // numbers not glued to an identifier: 42, 3.14, .5, 1e10, 0x1F
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next ?? ''))) {
      if (!isIdentChar(sql[i - 1])) {
        const m = /^(?:0[xXoObB][0-9A-Fa-f_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?)/.exec(sql.slice(i));
        if (m && m[0].length) {
          out += '?';
          i += m[0].length;
          continue;
        }
      }
    }
    if (isIdentChar(c)) {
      const m = /^[A-Za-z0-9_$\u0080-\uffff]+/.exec(sql.slice(i))!;
      out += m[0];
      i += m[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
}

/** Index just past the string literal starting at the quote `start` (or the end of text). */
function skipString(sql: string, start: number, backslashEscapes: boolean): number {
  let j = start + 1;
  while (j < sql.length) {
    if (backslashEscapes && sql[j] === '\\') {
      j += 2;
      continue;
    }
    if (sql[j] === "'") {
      if (sql[j + 1] === "'") {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return sql.length;
}
