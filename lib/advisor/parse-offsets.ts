/**
 * libpg-query speaks UTF-8 bytes: token positions and AST `location`s are byte offsets, while
 * error cursors are code-point counts (PostgreSQL's pg_mbstrlen). JavaScript strings index by
 * UTF-16 code unit. These converters bridge the three; for pure ASCII (nearly every statement)
 * they are the identity and cost nothing.
 */

export interface Offsets {
  /** Byte offset → string index. Offsets inside a multi-byte character map to its start. */
  fromByte(byte: number): number;
  /** Code-point offset → string index. */
  fromCodePoint(cp: number): number;
}

const identity: Offsets = { fromByte: (b) => b, fromCodePoint: (c) => c };

export function offsetsFor(text: string): Offsets {
  if (/^[\x00-\x7f]*$/.test(text)) return identity;
  const byteToIndex: number[] = [];
  const cpToIndex: number[] = [];
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i)!;
    const bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < bytes; k++) byteToIndex.push(i);
    cpToIndex.push(i);
    i += cp >= 0x10000 ? 2 : 1;
  }
  byteToIndex.push(text.length);
  cpToIndex.push(text.length);
  const clamp = (table: number[], n: number) => table[Math.max(0, Math.min(n, table.length - 1))];
  return { fromByte: (b) => clamp(byteToIndex, b), fromCodePoint: (c) => clamp(cpToIndex, c) };
}
