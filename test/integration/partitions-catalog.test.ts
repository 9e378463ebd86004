/**
 * The partition catalog and time grids against real parents: hand-made partitions with odd names,
 * a pg_partman 4.7 set, Europe/Paris across the October DST change, quoted mixed-case names,
 * a DEFAULT partition holding rows, id partitions, and tables the maintainer must refuse. Read
 * as the restricted role, a member of the tables' owner (test/support/owner.ts).
 */
import { Db, fromUrl } from '../../lib/pg';
import { readCatalog } from '../../lib/partitions/catalog';
import { idBounds, timeBounds } from '../../lib/partitions/bounds';
import { planPartitions } from '../../lib/partitions/plan';
import { parsePolicy } from '../../lib/partitions/policy';
import { PartitionPolicyError } from '../../lib/partitions/errors';
import { useTestDatabase } from '../support/db';
import { expectRestricted, useOwnerRole } from '../support/owner';

const t = useTestDatabase();
const owner = useOwnerRole(t);
let db: Db;
const us = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

beforeAll(async () => {
  await t.admin.query(`
    create table hand (id bigint, at timestamptz not null) partition by range (at);
    create table hand_first_day partition of hand for values from ('2024-06-09 00:00+00') to ('2024-06-10 00:00+00');
    create table "Weird Name" partition of hand for values from ('2024-06-10 00:00+00') to ('2024-06-11 00:00+00');
    create table hand_half partition of hand for values from ('2024-06-12 00:00+00') to ('2024-06-12 12:00+00');

    create table pm_events (id bigint, at timestamptz not null) partition by range (at);
    select partman.create_parent('public.pm_events', 'at', 'native', 'daily', p_premake := 2);

    create table paris (at timestamptz not null) partition by range (at);

    create schema "Ops";
    create table "Ops"."Audit Log" ("At" timestamptz not null, what text) partition by range ("At");
    create table "Ops"."Audit Log June" partition of "Ops"."Audit Log" for values from ('2024-06-01 00:00+00') to ('2024-07-01 00:00+00');
    create table "Ops"."Audit Log Default" partition of "Ops"."Audit Log" default;
    insert into "Ops"."Audit Log" select timestamptz '2024-07-02 10:00+00' + g * interval '1 minute', 'x' from generate_series(1, 50) g;
    analyze "Ops"."Audit Log Default";

    create table items (id bigint primary key) partition by range (id);
    create table items_p0 partition of items for values from (0) to (1000);
    create table items_p1000 partition of items for values from (1000) to (2000);
    create table items_p2000 partition of items for values from (2000) to (3000);
    insert into items select generate_series(1, 1500);

    create table plain (at timestamptz);
    create table listed (at timestamptz, region text) partition by list (region);
    create table by_date (d date not null) partition by range (d);
  `);
  await owner.adopt();
  db = await Db.connect(fromUrl(t.stewardUrl), { statementTimeoutMs: 10_000, lockTimeoutMs: 1_000, connectTimeoutMs: 5_000 });
  await expectRestricted(db);
});

afterAll(async () => {
  await db?.close();
});

describe('partition catalog', () => {
  it('adopts hand-made partitions of any name by their real bounds', async () => {
    const policy = parsePolicy({ table: 'public.hand', column: 'at', interval: '1 day', premake: 3 });
    const snap = await readCatalog(db, policy);
    expect(snap).toMatchObject({ schema: 'public', table: 'hand', keyColumn: 'at', keyKind: 'timestamptz', defaultPartition: null });
    const byName = Object.fromEntries(snap.partitions.map((p) => [p.name, p]));
    expect(byName['Weird Name'].fromKey).toBe(us('2024-06-10T00:00:00Z'));
    expect(byName['hand_half'].toKey).toBe(us('2024-06-12T12:00:00Z'));

    const wanted = await timeBounds(db, policy, snap, new Date('2024-06-10T15:00:00Z'));
    const plan = planPartitions(policy, snap, wanted);
    expect(plan.create.map((c) => c.name)).toEqual(['hand_p20240611', 'hand_p20240613']);
    expect(plan.gaps).toMatchObject([{ reason: 'partly-covered', overlaps: ['hand_half'] }]);
    expect(plan.create[0].fromKey).toBe(us('2024-06-11T00:00:00Z'));
  });

  it('adopts a pg_partman 4.7 set (its names, its default partition) and creates only what it lacks', async () => {
    const policy = parsePolicy({ table: 'pm_events', column: 'at', interval: '1 day', premake: 4 });
    const snap = await readCatalog(db, policy);
    expect(snap.defaultPartition?.name).toBe('pm_events_default');
    expect(snap.partitions.filter((p) => !p.isDefault).every((p) => /^pm_events_p\d{4}_\d{2}_\d{2}$/.test(p.name))).toBe(true);
    const plan = planPartitions(policy, snap, await timeBounds(db, policy, snap));
    // partman made today ± 2 (premake 2); premake 4 asks for two more days.
    expect(plan.create).toHaveLength(2);
    expect(plan.gaps).toEqual([]);
    expect(plan.defaultRows).toBeNull();
  });

  it('puts monthly and daily Europe/Paris bounds on local midnights across the October DST change', async () => {
    const monthly = parsePolicy({ table: 'paris', column: 'at', interval: '1 month', premake: 1, timezone: 'Europe/Paris' });
    const snap = await readCatalog(db, monthly);
    const m = await timeBounds(db, monthly, snap, new Date('2024-10-15T12:00:00Z'));
    expect(m.slots.map((s) => s.fromKey)).toEqual([us('2024-09-30T22:00:00Z'), us('2024-10-31T23:00:00Z')]);
    expect(m.slots[1].toKey).toBe(us('2024-11-30T23:00:00Z'));
    expect(m.slots.map((s) => s.label.DD)).toEqual(['01', '01']);

    const daily = parsePolicy({ table: 'paris', column: 'at', interval: '1 day', premake: 2, timezone: 'Europe/Paris' });
    const d = await timeBounds(db, daily, snap, new Date('2024-10-26T12:00:00Z'));
    // Sunday 27 October 2024 has 25 hours in Paris.
    expect(d.slots.map((s) => Number((s.toKey - s.fromKey) / 3_600_000_000n))).toEqual([24, 25, 24]);
    expect(d.slots[1].fromKey).toBe(us('2024-10-26T22:00:00Z'));
  });

  it('aligns weeks to ISO Mondays and quarters to the calendar', async () => {
    const snap = await readCatalog(db, parsePolicy({ table: 'paris', column: 'at', interval: '1 week' }));
    const w = await timeBounds(db, parsePolicy({ table: 'paris', column: 'at', interval: '1 week', premake: 0 }), snap, new Date('2024-06-13T12:00:00Z'));
    expect(w.slots[0].fromKey).toBe(us('2024-06-10T00:00:00Z'));
    const q = await timeBounds(db, parsePolicy({ table: 'paris', column: 'at', interval: '3 months', premake: 0 }), snap, new Date('2024-05-13T12:00:00Z'));
    expect([q.slots[0].fromKey, q.slots[0].toKey]).toEqual([us('2024-04-01T00:00:00Z'), us('2024-07-01T00:00:00Z')]);
  });

  it('reads quoted mixed-case names and reports default-partition rows in a range to create', async () => {
    const policy = parsePolicy({ table: '"Ops"."Audit Log"', column: 'At', interval: '1 day', premake: 1 });
    const snap = await readCatalog(db, policy);
    expect(snap).toMatchObject({ schema: 'Ops', table: 'Audit Log', keyColumn: 'At' });
    expect(snap.defaultPartition).toMatchObject({ name: 'Audit Log Default', estimatedRows: 50, probed: true });
    const plan = planPartitions(policy, snap, await timeBounds(db, policy, snap, new Date('2024-07-02T09:00:00Z')));
    // 07-01 lies between the oldest kept partition and now: a gap, filled.
    expect(plan.create.map((c) => c.name)).toEqual(['Audit Log_p20240701', 'Audit Log_p20240702', 'Audit Log_p20240703']);
    expect(plan.defaultRows).toEqual({ partition: 'Audit Log Default', estimatedRows: 50, ranges: ['Audit Log_p20240702'] });
  });

  it('reads the current max id from the newest non-empty partition', async () => {
    const policy = parsePolicy({ table: 'items', column: 'id', interval: 1000, premake: 2 });
    const snap = await readCatalog(db, policy);
    expect(snap.maxId).toBe(1500n);
    const plan = planPartitions(policy, snap, idBounds(policy, snap));
    expect(plan.create.map((c) => c.name)).toEqual(['items_p3000']);
  });

  it.each([
    ['plain', 'at', /plain is not a partitioned table/],
    ['listed', 'at', /listed is list-partitioned; only RANGE/],
    ['hand', 'id', /column "id" is not the partition key \(the key is "at"\)/],
    ['nowhere.hand', 'at', /nowhere.hand: table not found/],
    ['"Ops".audit_log', 'At', /table not found/],
  ])('refuses %s with an error naming the policy', async (table, column, message) => {
    const err = await readCatalog(db, parsePolicy({ table, column, interval: '1 day' })).catch((e) => e);
    expect(err).toBeInstanceOf(PartitionPolicyError);
    expect(err.message).toMatch(message);
  });

  it('computes hourly grids in absolute time and date grids as dates', async () => {
    const hourly = parsePolicy({ table: 'paris', column: 'at', interval: '1 hour', premake: 2, timezone: 'Europe/Paris' });
    const h = await timeBounds(db, hourly, await readCatalog(db, hourly), new Date('2024-10-27T00:30:00Z'));
    // Through the repeated 02:00-03:00 Paris hour: every partition is 3600 s, names in local time.
    expect(h.slots.map((s) => s.toKey - s.fromKey)).toEqual([3_600_000_000n, 3_600_000_000n, 3_600_000_000n]);
    expect(h.slots.map((s) => `${s.label.HH24}${s.label.MI}`)).toEqual(['0200', '0200', '0300']);
    const byDate = parsePolicy({ table: 'by_date', column: 'd', interval: '1 day', premake: 1, retention: '30 days' });
    const d = await timeBounds(db, byDate, await readCatalog(db, byDate), new Date('2024-06-10T12:00:00Z'));
    expect(d.slots.map((s) => [s.from, s.to])).toEqual([['2024-06-10', '2024-06-11'], ['2024-06-11', '2024-06-12']]);
    expect(d.cutoffKey).toBe(us('2024-05-11T00:00:00Z'));
  });

  it('refuses hours on a date key', async () => {
    await expect(readCatalog(db, parsePolicy({ table: 'by_date', column: 'd', interval: '1 hour' }))).rejects.toThrow(/date key cannot be partitioned by hours/);
  });
});
