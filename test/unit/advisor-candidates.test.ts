import { CandidatePool, couldUse, extendsIndex, keyShapes } from '../../lib/advisor/candidates';
import type { IndexDef } from '../../lib/advisor/index-sql';
import type { ResolvedTable, TableUsage } from '../../lib/advisor/resolve-types';

const usage = (u: Partial<TableUsage> = {}): TableUsage => ({
  equality: [], range: [], in: [], isNull: [], isNotNull: [], prefixLike: [], joinColumns: [], orderBy: [], limit: false, groupBy: [],
  columnsRead: [], columnsWritten: [], constantPredicates: [], ...u,
});
const table = (u: Partial<TableUsage>, name = 'orders'): ResolvedTable => ({ oid: 1, schema: 'public', name, kind: 'table', accesses: [], ...usage(u) });
const idx = (columns: string[], include?: string[], where?: string): IndexDef => ({
  table: { schema: 'public', name: 'orders' }, columns: columns.map((name) => ({ name })), ...(include ? { include } : {}), ...(where ? { where } : {}),
});
const show = (d: IndexDef) => `(${d.columns.map((c) => c.name + (c.direction === 'desc' ? ' desc' : '')).join(',')})${d.include?.length ? ` include(${d.include.join(',')})` : ''}`;

describe('candidate shapes', () => {
  it('proposes singles, the equality prefix, then a range or the ORDER BY', () => {
    const shapes = keyShapes(usage({ equality: ['customer_id'], range: ['created_at'], orderBy: [{ column: 'created_at', direction: 'desc', nulls: 'first' }] }), 3);
    expect(shapes.map((s) => show({ table: { schema: 'public', name: 'orders' }, columns: s }))).toEqual(['(customer_id)', '(created_at)', '(customer_id,created_at)', '(customer_id,created_at desc)']);
  });
});

describe('candidates from OR branches', () => {
  it('a column compared in every OR branch is a single-column candidate (a BitmapOr of its scans), never part of a composite key', () => {
    const shapes = keyShapes(usage({ equality: ['customer_id'], orColumns: ['status', 'customer_id'] }), 3);
    expect(shapes.map((s) => show({ table: { schema: 'public', name: 'orders' }, columns: s }))).toEqual(['(customer_id)', '(status)']);
    expect(keyShapes(usage({}), 3)).toEqual([]);
  });
});

describe('which statements could use an index', () => {
  it('a statement must touch one of its columns', () => {
    const t = table({ equality: ['customer_id'], columnsRead: ['customer_id', 'total'] });
    expect(couldUse(idx(['customer_id']), t)).toBe(true);
    expect(couldUse(idx(['status'], ['total']), t)).toBe(true);
    expect(couldUse(idx(['status']), t)).toBe(false);
  });

  it('SELECT * or no column at all keeps every index possible', () => {
    expect(couldUse(idx(['status']), table({ columnsRead: 'all' }))).toBe(true);
    expect(couldUse(idx(['status']), table({ columnsRead: [] }))).toBe(true);
  });
});

describe('Extend: one index extending another', () => {
  it('a longer key or more INCLUDE columns extends; another order or predicate does not', () => {
    expect(extendsIndex(idx(['a', 'b']), idx(['a']))).toBe(true);
    expect(extendsIndex(idx(['a'], ['b', 'c']), idx(['a'], ['b']))).toBe(true);
    expect(extendsIndex(idx(['a', 'b']), idx(['a'], ['b']))).toBe(true);
    expect(extendsIndex(idx(['a']), idx(['a']))).toBe(false);
    expect(extendsIndex(idx(['b', 'a']), idx(['a']))).toBe(false);
    expect(extendsIndex(idx(['a', 'b']), idx(['a'], ['c']))).toBe(false);
    expect(extendsIndex(idx(['a', 'b'], undefined, 'deleted_at IS NULL'), idx(['a']))).toBe(false);
    expect(extendsIndex({ ...idx(['a', 'b']), table: { schema: 'public', name: 'other' } }, idx(['a']))).toBe(false);
  });
});

describe('merged candidates (index merging)', () => {
  it('one index covering what several statements read beyond the same key', () => {
    const pool = new CandidatePool();
    pool.addStatement('q1', [table({ range: ['ordered_on'], columnsRead: ['ordered_on', 'total'] })], new Map());
    pool.addStatement('q2', [table({ range: ['ordered_on'], columnsRead: ['ordered_on', 'priority', 'customer_id'] })], new Map());
    const all = pool.all.map((c) => show(c.def));
    expect(all).toEqual(expect.arrayContaining(['(ordered_on) include(total)', '(ordered_on) include(priority,customer_id)']));
    const merged = pool.withMerged().filter((c) => !pool.all.includes(c));
    expect(merged.map((c) => show(c.def))).toEqual(['(ordered_on) include(total,priority,customer_id)']);
    expect([...merged[0].statements].sort()).toEqual(['q1', 'q2']);
  });

  it('not past the INCLUDE limit, and not when one statement alone needs it all', () => {
    const pool = new CandidatePool();
    pool.addStatement('q1', [table({ range: ['d'], columnsRead: ['d', 'a', 'b', 'c'] })], new Map());
    pool.addStatement('q2', [table({ range: ['d'], columnsRead: ['d', 'e', 'f', 'g'] })], new Map());
    expect(pool.withMerged(5).length).toBe(pool.all.length);
    const same = new CandidatePool();
    same.addStatement('q1', [table({ range: ['d'], columnsRead: ['d', 'a'] })], new Map());
    same.addStatement('q2', [table({ range: ['d'], columnsRead: ['d', 'a'] })], new Map());
    expect(same.withMerged().length).toBe(same.all.length);
  });
});
