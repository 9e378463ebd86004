/** Number formats the HTML report shares (sizes and durations come from lib/config/units). */

/** 1234 → "1.2k", 5600000 → "5.6M": planner costs span many orders of magnitude. */
export function compact(n: number): string {
  const a = Math.abs(n);
  const [d, u] = a >= 1e9 ? [1e9, 'G'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e3 ? [1e3, 'k'] : [1, ''];
  const v = n / d;
  return `${u && Math.abs(v) < 10 ? v.toFixed(1).replace(/\.0$/, '') : Math.round(v)}${u}`;
}
