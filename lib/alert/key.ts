/**
 * Alert identity and the glob patterns people write to match it (silences, health.ignore).
 * An alert is one (target, check, object) triple, like an Alertmanager label set reduced to the
 * three labels pgsteward has.
 */

/** `target|check|object`; a whole-server finding has an empty object part. */
export function alertKey(target: string, check: string, object?: string): string {
  return `${target}|${check}|${object ?? ''}`;
}

/**
 * Shell-style glob: `*` matches any run of characters (including none, and including `/` and `.`,
 * because object names such as `public.orders` or `slot/a` are not paths), `?` exactly one
 * character; everything else is literal and case-sensitive (PostgreSQL identifiers are).
 *
 * Written as a two-pointer matcher rather than a RegExp so that no pattern can need escaping
 * and no user-written pattern can make matching exponential: the cost is O(pattern × text).
 */
export function globMatch(pattern: string, text: string): boolean {
  const p = Array.from(pattern);
  const t = Array.from(text);
  let pi = 0;
  let ti = 0;
  // Where the last `*` was, and how much of the text it has swallowed so far.
  let star = -1;
  let starText = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === t[ti]))) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      starText = ti;
    } else if (star >= 0) {
      // Mismatch after a `*`: let that star swallow one more character and retry.
      pi = star + 1;
      ti = ++starText;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}
