import { coveringIndex, indexFindings } from '../../lib/advisor/existing-indexes';
import type { ExistingIndex } from '../../lib/advisor/existing-indexes-load';

let oid = 1000;
function idx(name: string, keys: (string | [string, 'desc'])[], extra: Partial<ExistingIndex> = {}): ExistingIndex {
  return {
    oid: oid++, schema: 'public', name, tableOid: 1, table: 'orders', method: 'btree',
    keys: keys.map((k) => (typeof k === 'string' ? { column: k, descending: false, nullsFirst: false, opclassDefault: true } : { column: k[0], descending: true, nullsFirst: true, opclassDefault: true })),
    include: [], unique: false, nullsNotDistinct: false, primary: false, exclusion: false, valid: true, ready: true, replicaIdentity: false,
    referencedBy: [], partitioned: false, scans: 10, sizeBytes: 8 * 1024 * 1024, definition: '', ...extra,
  };
}
const orders = { schema: 'public', name: 'orders' };

describe('existing indexes', () => {
  it('a candidate is covered by an index whose leading keys match, in the same or reversed order', () => {
    const existing = [idx('orders_c_created', ['customer_id', ['created_at', 'desc']])];
    expect(coveringIndex({ table: orders, columns: [{ name: 'customer_id' }] }, existing)?.name).toBe('orders_c_created');
    expect(coveringIndex({ table: orders, columns: [{ name: 'customer_id' }, { name: 'created_at', direction: 'desc' }] }, existing)).toBeDefined();
    // Reversed scan: (customer_id DESC, created_at ASC) is the same btree walked backwards.
    expect(coveringIndex({ table: orders, columns: [{ name: 'customer_id', direction: 'desc' }, { name: 'created_at' }] }, existing)).toBeDefined();
    expect(coveringIndex({ table: orders, columns: [{ name: 'customer_id' }, { name: 'created_at' }] }, existing)).toBeUndefined();
    expect(coveringIndex({ table: orders, columns: [{ name: 'created_at' }] }, existing)).toBeUndefined();
  });

  it('invalid, partial-with-another-predicate and other tables do not cover', () => {
    expect(coveringIndex({ table: orders, columns: [{ name: 'customer_id' }] }, [idx('x', ['customer_id'], { valid: false })])).toBeUndefined();
    expect(coveringIndex({ table: orders, columns: [{ name: 'customer_id' }] }, [idx('x', ['customer_id'], { predicate: 'deleted_at IS NULL' })])).toBeUndefined();
    expect(coveringIndex({ table: orders, columns: [{ name: 'customer_id' }], where: 'deleted_at IS NULL' }, [idx('x', ['customer_id'], { predicate: 'deleted_at IS NULL' })])).toBeDefined();
    expect(coveringIndex({ table: { schema: 'public', name: 'other' }, columns: [{ name: 'customer_id' }] }, [idx('x', ['customer_id'])])).toBeUndefined();
  });

  it('finds unused, duplicate, redundant and invalid indexes, with a DROP INDEX CONCURRENTLY each', () => {
    const existing = [
      idx('orders_pkey', ['id'], { primary: true, unique: true, constraint: { name: 'orders_pkey', type: 'primary' }, scans: 0 }),
      idx('orders_status_idx', ['status'], { scans: 0 }),
      idx('orders_tiny_idx', ['note'], { scans: 0, sizeBytes: 8192 }),
      idx('orders_customer_idx', ['customer_id']),
      idx('orders_customer_idx2', ['customer_id']),
      idx('orders_customer_created_idx', ['customer_id', 'created_at']),
      idx('orders_broken_idx', ['total'], { valid: false }),
    ];
    const f = indexFindings(existing, { unusedMinBytes: 1024 * 1024, statsReset: null });
    const by = (kind: string) => f.filter((x) => x.kind === kind).map((x) => x.index).sort();
    expect(by('unused')).toEqual(['public.orders_status_idx']);
    expect(by('duplicate')).toEqual(['public.orders_customer_idx2']);
    expect(by('redundant')).toEqual(['public.orders_customer_idx']);
    expect(by('invalid')).toEqual(['public.orders_broken_idx']);
    expect(f.find((x) => x.kind === 'unused')!.statement).toBe('DROP INDEX CONCURRENTLY IF EXISTS "public"."orders_status_idx";');
    expect(f.find((x) => x.kind === 'unused')!.reason).toContain('standbys');
  });
});
