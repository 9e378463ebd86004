/** Alert keys and the glob patterns used by silences and health.ignore. */
export function alertKey(target: string, check: string, object?: string): string {
  return `${target}|${check}|${object ?? ''}`;
}

/** `*` matches any run of characters, `?` one character; everything else is literal. */
export function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 's');
  return re.test(text);
}
