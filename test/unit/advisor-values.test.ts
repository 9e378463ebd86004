import type { ParamUse } from '../../lib/advisor/resolve-types';
import { ColumnStats, permissive, representativeValues } from '../../lib/advisor/values';

/** A histogram of 0..100 and no common values: quantile q is String(100 q). */
const numeric: ColumnStats = { mcv: [], mcf: [], histogram: Array.from({ length: 101 }, (_, i) => String(i)) };
/** Seven values, all common ones (no histogram), 'AIR' the rarest. */
const modes: ColumnStats = { mcv: ['SHIP', 'RAIL', 'AIR', 'MAIL', 'FOB', 'TRUCK', 'REG AIR'], mcf: [0.2, 0.15, 0.05, 0.15, 0.15, 0.15, 0.15], histogram: [] };
const stats = new Map([
  ['public.t.n', numeric],
  ['public.t.mode', modes],
]);
const use = (param: number, column: string, kind: ParamUse['kind'], group: number[], op?: ParamUse['op']): ParamUse => ({ param, schema: 'public', table: 't', column, kind, group, ...(op ? { op } : {}) });
/** Every parameter of a group is reported, each with the whole group (as the resolver does). */
const uses = (column: string, kind: ParamUse['kind'], group: number[], op?: ParamUse['op']) => group.map((p) => use(p, column, kind, group, op));

describe('representative parameter values', () => {
  it('equality: a typical value (the median, or the rarest common value)', () => {
    const v = representativeValues([...uses('n', 'equality', [1]), ...uses('mode', 'equality', [2])], stats, 2, new Map());
    expect(v).toEqual(new Map([[1, '50'], [2, 'AIR']]));
  });

  it('IN: a different typical value per member, not one value k times', () => {
    const v = representativeValues(uses('mode', 'in', [1, 2, 3]), stats, 3, new Map())!;
    expect(new Set([v.get(1), v.get(2), v.get(3)]).size).toBe(3);
    expect(v.get(1)).toBe('AIR');
    const n = representativeValues(uses('n', 'in', [1, 2]), stats, 2, new Map())!;
    expect(new Set([n.get(1), n.get(2)]).size).toBe(2);
  });

  it('a lone bound keeps the planner default (a third); a pair is a tenth in the middle', () => {
    expect(representativeValues(uses('n', 'range', [1], '>'), stats, 1, new Map())).toEqual(new Map([[1, '67']]));
    expect(representativeValues(uses('n', 'range', [1], '<='), stats, 1, new Map())).toEqual(new Map([[1, '33']]));
    const pair = representativeValues([...uses('n', 'range', [1], '>='), ...uses('n', 'range', [2, 3], '<')], stats, 3, new Map([[3, 'interval']]));
    expect(pair).toEqual(new Map([[1, '45'], [2, '55'], [3, '0']]));
  });

  it('a pair whose upper bound adds `interval $n <field>`: the window starts at the lower bound and is one unit wide', () => {
    // `d >= date $1 and d < date $2 + interval $3 month`: as the report asks, one month from $1.
    const pair = representativeValues([...uses('n', 'range', [1], '>='), ...uses('n', 'range', [2, 3], '<')], stats, 3, new Map([[3, 'interval']]), new Map([[3, 'month']]));
    expect(pair).toEqual(new Map([[1, '45'], [2, '45'], [3, '1 month']]));
    // `interval $3 day to second`: the first field is the unit.
    const dts = representativeValues([...uses('n', 'range', [1], '>='), ...uses('n', 'range', [2, 3], '<')], stats, 3, new Map([[3, 'interval']]), new Map([[3, 'day to second']]));
    expect(dts!.get(3)).toBe('1 day');
    // A lone upper bound with an interval (`d <= date $1 - interval $2 day`) is no window: unchanged.
    expect(representativeValues(uses('n', 'range', [1, 2], '<='), stats, 2, new Map([[2, 'interval']]), new Map([[2, 'day']]))).toEqual(new Map([[1, '33'], [2, '0']]));
  });

  it('BETWEEN: both bounds placed, whatever arithmetic they carry', () => {
    expect(representativeValues(uses('n', 'range', [1, 2], 'between'), stats, 2, new Map())).toEqual(new Map([[1, '45'], [2, '55']]));
    // `n between $1 - $2 and $3 + $4`: the second bound starts half way; the modifiers are zero.
    const four = representativeValues(uses('n', 'range', [1, 2, 3, 4], 'between'), stats, 4, new Map())!;
    expect([four.get(1), four.get(2), four.get(3), four.get(4)]).toEqual(['45', '0', '55', '0']);
    // `n between $1 and $2 + $3` (or `$1 - $2 and $3`): a non-empty window either way.
    const three = representativeValues(uses('n', 'range', [1, 2, 3], 'between'), stats, 3, new Map())!;
    expect(three.get(1)).toBe('45');
    expect(Number(three.get(2)) + Number(three.get(3))).toBeGreaterThan(45);
    expect(Number(three.get(1)) - Number(three.get(2))).toBeLessThan(Number(three.get(3)));
  });

  it('parameters compared with no column get a permissive value, never NULL where a type allows one', () => {
    const types = new Map([[2, 'character(10)'], [3, 'numeric'], [4, 'interval']]);
    const v = representativeValues(uses('n', 'equality', [1]), stats, 5, types)!;
    // `p_brand <> $2`: NULL would make the WHERE constant-false and the plan cost 0.
    expect(v.get(2)).toBe('');
    expect(v.get(3)).toBe('0');
    expect(v.get(4)).toBe('0');
    // Untyped (LIMIT $5 is bigint to PostgreSQL): large enough not to cut a LIMIT short.
    expect(Number(v.get(5))).toBeGreaterThanOrEqual(1000);
    expect(permissive('date')).toBeNull();
  });

  it('no placed parameter, or a compared column without statistics: the generic plan', () => {
    expect(representativeValues([], stats, 2, new Map())).toBeUndefined();
    expect(representativeValues(uses('missing', 'equality', [1]), stats, 1, new Map())).toBeUndefined();
  });

  it('OR branches: each branch gets its own typical value and its own window, so the planner cannot fold them into one', () => {
    const v = representativeValues([
      ...uses('mode', 'equality', [1]), ...uses('n', 'range', [2], '>='), ...uses('n', 'range', [3, 4], '<='), ...uses('mode', 'in', [5, 6]),
      ...uses('mode', 'equality', [7]), ...uses('n', 'range', [8], '>='), ...uses('n', 'range', [9, 10], '<='), ...uses('mode', 'in', [11, 12]),
    ], stats, 12, new Map())!;
    expect(v.get(1)).toBe('AIR');
    expect(v.get(7)).not.toBe(v.get(1));
    // Windows a tenth wide, centred at 1/3 and 2/3 instead of both in the middle.
    expect([v.get(2), v.get(3), v.get(8), v.get(9)]).toEqual(['28', '38', '62', '72']);
    expect([v.get(4), v.get(10)]).toEqual(['0', '0']);
    // Each IN list its own values: four distinct among the two lists.
    expect(new Set([v.get(5), v.get(6), v.get(11), v.get(12)]).size).toBe(4);
  });

  it('common values without a histogram are ordered as numbers when they are numbers', () => {
    const small: ColumnStats = { mcv: ['10', '9', '2', '1', '30', '20'], mcf: [0.2, 0.2, 0.2, 0.2, 0.1, 0.1], histogram: [] };
    const v = representativeValues(uses('q', 'range', [1], '<='), new Map([['public.t.q', small]]), 1, new Map())!;
    // Sorted 1, 2, 9, 10, 20, 30: a third of the way is 9 (sorted as text, 1, 10, 2, …, it was 2).
    expect(v.get(1)).toBe('9');
  });

  it('array parameters get an array literal', () => {
    const v = representativeValues(uses('mode', 'in', [1]), stats, 1, new Map([[1, 'text[]']]))!;
    expect(v.get(1)).toBe('{"AIR"}');
  });
});
