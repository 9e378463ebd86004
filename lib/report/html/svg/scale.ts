/** Linear scales and round tick values: the arithmetic every chart shares. */

export interface Scale {
  (value: number): number;
  domain: [number, number];
  range: [number, number];
}

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps everything to the middle (one point, no NaN). */
export function linear(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const f = ((v: number) => (d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0))) as Scale;
  f.domain = domain;
  f.range = range;
  return f;
}

/**
 * About `count` round ticks (1, 2 or 5 × 10^k apart) covering [0, max]: the steps people read
 * axes in (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
 */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  // Up to the first tick at or above max, so the axis always covers the data.
  for (let i = 0; ; i++) {
    const v = Number((i * step).toPrecision(12));
    ticks.push(v);
    if (v >= max) return ticks;
  }
}

/** The top of an axis for `values`: the last nice tick at or above the largest. */
export function niceMax(values: number[], count = 4): number {
  const max = Math.max(0, ...values.filter(Number.isFinite));
  const ticks = niceTicks(max, count);
  return ticks[ticks.length - 1] || 1;
}
