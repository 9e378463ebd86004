/** The pure partition planner, policy parsing and naming: no database. */
import { parseQualifiedName } from '../../lib/partitions/ident';
import { interpretCatalog, CatalogRow } from '../../lib/partitions/catalog';
import { idBounds } from '../../lib/partitions/bounds';
import { partitionName } from '../../lib/partitions/naming';
import { planPartitions } from '../../lib/partitions/plan';
import { parsePolicy, PartitionPolicy } from '../../lib/partitions/policy';
import { CatalogSnapshot, ExistingPartition, Slot, WantedBounds } from '../../lib/partitions/types';
import { PartitionPolicyError } from '../../lib/partitions/errors';

const us = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
const HOUR = 3_600_000;

/** A UTC grid of `n` slots of `ms` from `startIso`, now at `nowIso`. */
function grid(startIso: string, ms: number, n: number, nowIso: string, cutoffIso?: string): WantedBounds {
  const slots: Slot[] = [];
  for (let i = 0; i < n; i++) {
    const a = new Date(Date.parse(startIso) + i * ms);
    const b = new Date(a.getTime() + ms);
    const p = (x: number) => String(x).padStart(2, '0');
    slots.push({
      from: a.toISOString(), to: b.toISOString(), fromKey: us(a.toISOString()), toKey: us(b.toISOString()),
      label: { YYYY: String(a.getUTCFullYear()), MM: p(a.getUTCMonth() + 1), DD: p(a.getUTCDate()), HH24: p(a.getUTCHours()), MI: p(a.getUTCMinutes()) },
    });
  }
  const nowKey = us(nowIso);
  return { slots, current: slots.findIndex((s) => s.fromKey <= nowKey && nowKey < s.toKey), nowKey, cutoffKey: cutoffIso ? us(cutoffIso) : null };
}

function part(name: string, from: string | null, to: string | null, isDefault = false): ExistingPartition {
  return { schema: 'public', name, isDefault, from, to, fromKey: from === null ? null : us(from), toKey: to === null ? null : us(to), estimatedRows: 0, subPartitioned: false };
}

function snapshot(partitions: ExistingPartition[], extra: Partial<CatalogSnapshot> = {}): CatalogSnapshot {
  return { schema: 'public', table: 'events', keyColumn: 'at', keyType: 'timestamp with time zone', keyKind: 'timestamptz', partitions, defaultPartition: null, maxId: null, takenNames: [], ...extra };
}

const daily = (extra: object = {}): PartitionPolicy => parsePolicy({ table: 'events', column: 'at', interval: '1 day', ...extra });
const DAY = 24 * HOUR;

describe('planning time partitions', () => {
  it('creates the partition holding now and premake after it, counted from now on a quiet table', () => {
    // The newest partition is a month old: premake still counts from today.
    const snap = snapshot([part('events_old', '2024-05-01T00:00:00Z', '2024-05-02T00:00:00Z')]);
    const plan = planPartitions(daily(), snap, grid('2024-06-10T00:00:00Z', DAY, 5, '2024-06-10T13:00:00Z'));
    expect(plan.create.map((c) => c.name)).toEqual(['events_p20240610', 'events_p20240611', 'events_p20240612', 'events_p20240613', 'events_p20240614']);
    expect(plan.current).toEqual({ from: '2024-06-10T00:00:00.000Z', to: '2024-06-11T00:00:00.000Z' });
  });

  it('names hourly partitions with hours and minutes', () => {
    const plan = planPartitions(parsePolicy({ table: 'events', column: 'at', interval: '1 hour', premake: 1 }), snapshot([]), grid('2024-06-10T13:00:00Z', HOUR, 2, '2024-06-10T13:20:00Z'));
    expect(plan.create.map((c) => c.name)).toEqual(['events_p20240610_1300', 'events_p20240610_1400']);
  });

  it('adopts existing partitions of odd names by their real bounds and creates only what is missing', () => {
    const snap = snapshot([part('june_10_by_hand', '2024-06-10T00:00:00Z', '2024-06-11T00:00:00Z'), part('x', '2024-06-12T00:00:00Z', '2024-06-13T00:00:00Z')]);
    const plan = planPartitions(daily({ premake: 2 }), snap, grid('2024-06-10T00:00:00Z', DAY, 3, '2024-06-10T05:00:00Z'));
    expect(plan.create.map((c) => c.name)).toEqual(['events_p20240611']);
    expect(plan.gaps).toEqual([]);
  });

  it('treats a wider hand-made partition (a month) as covering its days', () => {
    const snap = snapshot([part('events_june', '2024-06-01T00:00:00Z', '2024-07-01T00:00:00Z')]);
    const plan = planPartitions(daily({ premake: 2 }), snap, grid('2024-06-10T00:00:00Z', DAY, 3, '2024-06-10T05:00:00Z'));
    expect(plan.create).toEqual([]);
  });

  it('never creates over a partly-covering partition of another width, and reports it', () => {
    const snap = snapshot([part('half_day', '2024-06-11T00:00:00Z', '2024-06-11T12:00:00Z')]);
    const plan = planPartitions(daily({ premake: 2 }), snap, grid('2024-06-10T00:00:00Z', DAY, 3, '2024-06-10T05:00:00Z'));
    expect(plan.create.map((c) => c.from)).toEqual(['2024-06-10T00:00:00.000Z', '2024-06-12T00:00:00.000Z']);
    expect(plan.gaps).toEqual([{ from: '2024-06-11T00:00:00.000Z', to: '2024-06-12T00:00:00.000Z', reason: 'partly-covered', overlaps: ['half_day'], needed: true }]);
  });

  it('fills missing ranges between the oldest kept partition and now (gap filling)', () => {
    const snap = snapshot([part('a', '2024-06-07T00:00:00Z', '2024-06-08T00:00:00Z')]);
    const plan = planPartitions(daily({ premake: 0 }), snap, grid('2024-06-07T00:00:00Z', DAY, 4, '2024-06-10T05:00:00Z'));
    expect(plan.gaps).toEqual([]);
    expect(plan.create.map((c) => c.name)).toEqual(['events_p20240608', 'events_p20240609', 'events_p20240610']);
  });

  it('builds weekly and monthly partitions from the grid it is given', () => {
    const weekly = parsePolicy({ table: 'events', column: 'at', interval: '1 week', premake: 1 });
    const plan = planPartitions(weekly, snapshot([]), grid('2024-06-10T00:00:00Z', 7 * DAY, 2, '2024-06-12T00:00:00Z'));
    expect(plan.create.map((c) => c.name)).toEqual(['events_p20240610', 'events_p20240617']);
    const monthly = parsePolicy({ table: 'events', column: 'at', interval: '1 month', premake: 0 });
    const m = planPartitions(monthly, snapshot([]), { ...grid('2024-06-01T00:00:00Z', 30 * DAY, 1, '2024-06-12T00:00:00Z') });
    expect(m.create.map((c) => c.name)).toEqual(['events_p20240601']);
  });
});

describe('retention', () => {
  const snap = snapshot([
    part('odd_old', '2024-05-01T00:00:00Z', '2024-05-02T00:00:00Z'),
    part('wide', '2024-05-02T00:00:00Z', '2024-06-05T00:00:00Z'),
    part('today', '2024-06-10T00:00:00Z', '2024-06-11T00:00:00Z'),
  ]);

  it('retires by the real upper bound, in the configured mode', () => {
    const plan = planPartitions(daily({ retention: '30 days', retentionMode: 'drop' }), snap, grid('2024-06-10T00:00:00Z', DAY, 1, '2024-06-10T05:00:00Z', '2024-05-11T05:00:00Z'));
    // `wide` starts before the cutoff but ends after it: it still holds rows within retention.
    expect(plan.retire).toEqual([{ partition: 'odd_old', schema: 'public', to: '2024-05-02T00:00:00Z', action: 'drop' }]);
  });

  it('never retires the partition holding now or a newer one, even when the cutoff is past now', () => {
    const plan = planPartitions(daily({ retention: '1 day', premake: 0 }), snap, grid('2024-06-10T00:00:00Z', DAY, 1, '2024-06-10T05:00:00Z', '2024-07-01T00:00:00Z'));
    expect(plan.retire.map((r) => r.partition)).toEqual(['odd_old', 'wide']);
  });

  it('fills gaps only from the oldest kept partition on, never older ones', () => {
    const plan = planPartitions(daily({ retention: '30 days', premake: 0 }), snap, grid('2024-05-01T00:00:00Z', DAY, 41, '2024-06-10T05:00:00Z', '2024-05-11T05:00:00Z'));
    expect(plan.gaps).toEqual([]);
    expect(plan.create.map((c) => c.from.slice(0, 10))).toEqual(['2024-06-05', '2024-06-06', '2024-06-07', '2024-06-08', '2024-06-09']);
  });
});

describe('the default partition', () => {
  it('reports rows it holds in a range to create, without failing', () => {
    const def = part('events_default', null, null, true);
    const snap = snapshot([def], { defaultPartition: { name: 'events_default', estimatedRows: 10, minKey: us('2024-06-11T03:00:00Z'), maxKey: us('2024-06-11T04:00:00Z'), probed: true } });
    const plan = planPartitions(daily({ premake: 2 }), snap, grid('2024-06-10T00:00:00Z', DAY, 3, '2024-06-10T05:00:00Z'));
    expect(plan.create).toHaveLength(3);
    expect(plan.defaultRows).toEqual({ partition: 'events_default', estimatedRows: 10, ranges: ['events_p20240611'] });
  });
});

describe('id partitions', () => {
  const idPolicy = parsePolicy({ table: 'items', column: 'id', interval: 1000, premake: 2, retention: 5000 });
  const idPart = (name: string, from: number, to: number): ExistingPartition => ({
    schema: 'public', name, isDefault: false, from: String(from), to: String(to), fromKey: BigInt(from), toKey: BigInt(to), estimatedRows: 0, subPartitioned: false,
  });
  const idSnap = (maxId: bigint | null, parts: ExistingPartition[]) => snapshot(parts, { table: 'items', keyColumn: 'id', keyKind: 'integer', keyType: 'bigint', maxId });

  it('keeps the partition holding the max id and premake after it, named by start id', () => {
    const snap = idSnap(12_345n, [idPart('items_p0', 0, 1000), idPart('by_hand', 8000, 9000), idPart('items_p12000', 12000, 13000)]);
    const plan = planPartitions(idPolicy, snap, idBounds(idPolicy, snap));
    // The missing ranges between the kept ones (9000-12000) are filled, then premake after the max id.
    expect(plan.create.map((c) => c.name)).toEqual(['items_p9000', 'items_p10000', 'items_p11000', 'items_p13000', 'items_p14000']);
    // Retention 5000 below max id 12345: only partitions ending at or below 7345 go.
    expect(plan.retire.map((r) => r.partition)).toEqual(['items_p0']);
    expect(plan.gaps).toEqual([]);
  });

  it('on an empty table, starts at the oldest partition and retires nothing', () => {
    const snap = idSnap(null, [idPart('items_p0', 0, 1000)]);
    const plan = planPartitions(idPolicy, snap, idBounds(idPolicy, snap));
    expect(plan.create.map((c) => c.name)).toEqual(['items_p1000', 'items_p2000']);
    expect(plan.retire).toEqual([]);
  });

  it('aligns negative ids down', () => {
    const snap = idSnap(-1n, []);
    expect(idBounds(idPolicy, snap).slots[0]).toMatchObject({ from: '-1000', to: '0' });
  });
});

describe('naming', () => {
  it('fits long names into 63 bytes with a hash, keeping the date whole', () => {
    const parent = 'a_very_long_table_name_that_goes_on_and_on_and_on_for_ever_ok';
    const name = partitionName('{parent}_p{YYYY}{MM}{DD}', parent, { YYYY: '2024', MM: '06', DD: '10' }, new Set());
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^a_very_long_table_name_.*_[0-9a-f]{6}_p20240610$/);
  });

  it('never cuts a multi-byte character', () => {
    const name = partitionName('{parent}_p{start}', 'é'.repeat(40), { start: '1000' }, new Set());
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(name).not.toContain('\uFFFD');
    expect(Buffer.from(name, 'utf8').toString('utf8')).toBe(name);
  });

  it('avoids names already taken in the schema, and between planned partitions', () => {
    const snap = snapshot([], { takenNames: ['events_p20240610'] });
    const plan = planPartitions(daily({ premake: 1, naming: '{parent}_{YYYY}' }), snap, grid('2024-06-10T00:00:00Z', DAY, 2, '2024-06-10T05:00:00Z'));
    const names = plan.create.map((c) => c.name);
    expect(names[0]).toBe('events_2024');
    expect(names[1]).toMatch(/^events_[0-9a-f]{6}_2024$/);
    expect(planPartitions(daily({ premake: 0 }), snap, grid('2024-06-10T00:00:00Z', DAY, 1, '2024-06-10T05:00:00Z')).create[0].name).toMatch(/^events_[0-9a-f]{6}_p20240610$/);
  });
});

describe('policies', () => {
  it('parses SQL-style names with quoting and case folding', () => {
    expect(parseQualifiedName('"Ops"."Audit Log"')).toEqual({ schema: 'Ops', name: 'Audit Log' });
    expect(parseQualifiedName('public."x.y"')).toEqual({ schema: 'public', name: 'x.y' });
    expect(parseQualifiedName('"a.b"."c"')).toEqual({ schema: 'a.b', name: 'c' });
    expect(parseQualifiedName(' Ops . Audit_Log ')).toEqual({ schema: 'ops', name: 'audit_log' });
    expect(parseQualifiedName('"say ""hi"""')).toEqual({ name: 'say "hi"' });
    expect(() => parseQualifiedName('a.b.c')).toThrow(/3 parts/);
    expect(() => parseQualifiedName('"open')).toThrow(/unterminated/);
    expect(() => parseQualifiedName('a b')).toThrow(/unexpected/);
    expect(() => parseQualifiedName('""')).toThrow(/empty/);
  });

  it('applies documented defaults', () => {
    expect(parsePolicy({ table: '"Ops"."Audit Log"', column: 'At', interval: '1 day' })).toMatchObject({
      schema: 'Ops', table: 'Audit Log', column: 'At', premake: 4, retentionMode: 'detach', timezone: 'UTC', lockTimeoutMs: 2000, moveDefaultRows: false, naming: '{parent}_p{YYYY}{MM}{DD}',
    });
  });

  it('rejects bad entries with messages naming the policy and the field', () => {
    const msg = (p: object) => { try { parsePolicy(p); } catch (e) { return (e as Error).message; } return 'ok'; };
    expect(msg({ table: 't', column: 'c', interval: '1 fortnight' })).toMatch(/^partition policy t: interval: expected an interval/);
    expect(msg({ table: 't', column: 'c', interval: '5 months' })).toMatch(/divide a year/);
    expect(msg({ table: 't', column: 'c', interval: '1 day', timezone: 'Mars/Base' })).toMatch(/timezone: unknown time zone/);
    expect(msg({ table: 't', column: 'c', interval: '1 day', retention: 100 })).toMatch(/retention of a time policy is an interval/);
    expect(msg({ table: 't', column: 'c', interval: '1 day', premke: 3 })).toMatch(/premke|Unrecognized/i);
    expect(msg({ table: 't', column: 'c', interval: '1 day', naming: '{parent}_{YYYYMM}' })).toMatch(/placeholder/);
  });

  it('refuses tables that are not range-partitioned on the column, naming the policy', () => {
    const p = daily();
    const base: CatalogRow = { schema: 'public', table: 'events', relkind: 'p', partstrat: 'r', key_columns: ['at'], key_column: 'at', key_regtype: 'timestamp with time zone', key_type: 'timestamp with time zone', partitions: [], taken: [] };
    const err = (row: CatalogRow | undefined) => { try { interpretCatalog(p, row); } catch (e) { expect(e).toBeInstanceOf(PartitionPolicyError); return (e as Error).message; } return 'ok'; };
    expect(err(undefined)).toMatch(/^partition policy events: table not found/);
    expect(err({ ...base, relkind: 'r' })).toMatch(/not a partitioned table/);
    expect(err({ ...base, partstrat: 'l' })).toMatch(/is list-partitioned; only RANGE/);
    expect(err({ ...base, key_columns: ['created'], key_column: 'created' })).toMatch(/column "at" is not the partition key \(the key is "created"\)/);
    expect(err({ ...base, key_regtype: 'text', key_type: 'text' })).toMatch(/expected timestamptz, timestamp, date or an integer/);
    expect(err(base)).toBe('ok');
  });
});
