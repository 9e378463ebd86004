/**
 * The partition maintainer as the restricted role of sql/roles.sql: with membership in the
 * tables' owner (the grant the script documents) it creates, attaches and detaches; without it,
 * the failure names the GRANT to run.
 */
import { Db, fromUrl } from '../../lib/pg';
import { maintainTable } from '../../lib/partitions/maintain';
import { parsePolicy } from '../../lib/partitions/policy';
import { useTestDatabase } from '../support/db';

const t = useTestDatabase();
const session = { statementTimeoutMs: 30_000, lockTimeoutMs: 2_000, connectTimeoutMs: 5_000 };

beforeAll(async () => {
  await t.admin.query(`
    create role shop_owner;
    create table orders_log (id bigint not null, at timestamptz not null) partition by range (at);
    create table orders_log_old partition of orders_log for values from (now() - interval '60 days') to (now() - interval '59 days');
    alter table orders_log owner to shop_owner;
    alter table orders_log_old owner to shop_owner;
    grant create on schema public to shop_owner;`);
  t.applyRoleScript();
});

it('without the owner role, the run fails for that table and names the GRANT that fixes it', async () => {
  const db = await Db.connect(fromUrl(t.stewardUrl), session);
  try {
    const out = await maintainTable(db, parsePolicy({ table: 'orders_log', column: 'at', interval: '1 day', premake: 1 }), { attempts: 1, backoffMs: 10 });
    expect(out.table.status).toBe('failed');
    expect(out.findings.map((f) => f.message).join('\n')).toContain('GRANT shop_owner TO pgsteward;');
    expect((await t.admin.query(`select count(*)::int as n from pg_inherits where inhparent = 'orders_log'::regclass`)).rows[0].n).toBe(1);
  } finally {
    await db.close();
  }
});

it('as a member of the owner role, pgsteward creates ahead and retires, and the new partitions belong to the owner', async () => {
  await t.admin.query('grant shop_owner to pgsteward');
  const db = await Db.connect(fromUrl(t.stewardUrl), session);
  try {
    const out = await maintainTable(db, parsePolicy({ table: 'orders_log', column: 'at', interval: '1 day', premake: 2, retention: '30 days', retentionMode: 'drop' }));
    expect(out.table.status).toBe('ok');
    expect(out.actions.filter((a) => a.action === 'attach').length).toBe(3);
    expect(out.actions.some((a) => a.action === 'drop' && a.status === 'done')).toBe(true);
    const owners = await t.admin.query(`select distinct pg_get_userbyid(c.relowner) as owner from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'orders_log'::regclass`);
    expect(owners.rows).toEqual([{ owner: 'shop_owner' }]);
  } finally {
    await db.close();
  }
});
