/**
 * Small text helpers for the digest renderers: phone-width wrapping, SQL broken only at
 * whitespace outside quotes (so it still runs when pasted), and figures people read.
 */
import { oneLine } from '../alert/message';

/** Lines of at most this many characters where possible (RFC 5322 §2.1.1 recommends 78). */
export const LINE_MAX = 78;

/** Word-wraps one paragraph; a word longer than the width (a URL) keeps its own line. */
export function wrap(text: string, indent = '', width = LINE_MAX): string[] {
  const words = oneLine(text).split(' ').filter(Boolean);
  return fill(words, indent, width);
}

/**
 * SQL on its own lines, wrapped at whitespace outside string literals, quoted identifiers and
 * comments: a newline there is whitespace to PostgreSQL, so the text still runs as written.
 */
export function wrapSql(sql: string, indent = '', width = LINE_MAX): string[] {
  const out: string[] = [];
  for (const stmt of sql.split('\n').filter((l) => l.trim())) out.push(...fill(sqlTokens(stmt), indent, width));
  return out;
}

function fill(words: string[], indent: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && indent.length + line.length + 1 + w.length > width) {
      lines.push(indent + line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** Splits at runs of whitespace that are not inside '…', "…" or a -- / block comment. */
function sqlTokens(sql: string): string[] {
  const tokens: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (quote) {
      cur += ch;
      if (quote === '*/' ? ch === '/' && sql[i - 1] === '*' : ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      cur += ch;
    } else if (ch === '/' && sql[i + 1] === '*') {
      quote = '*/';
      cur += ch;
    } else if (/\s/.test(ch)) {
      if (cur) tokens.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) tokens.push(cur);
  return tokens;
}

/** 0.052 ms, 3.41 ms, 12.3 ms, 2.35 s. */
export function ms(value: number): string {
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  if (value >= 1) return `${value.toFixed(2)} ms`;
  return `${value.toFixed(3)} ms`;
}

/** 2.4x, 31x. */
export function times(factor: number): string {
  return factor >= 10 ? `${Math.round(factor)}x` : `${factor.toFixed(1)}x`;
}

/** `2024-06-01 02:00 UTC` from an ISO time. */
export function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A statement text for reading: one line, cut. */
export function preview(text: string, max: number): string {
  const t = oneLine(text);
  return t.length <= max ? t : `${t.slice(0, max - 3)}...`;
}
