/**
 * The only way text reaches the HTML: every string from a report (statement texts hold `<`, `&`,
 * quotes; object names are chosen by database users) goes through `esc`. Nothing is injected raw.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and for double-quoted attribute values alike. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
