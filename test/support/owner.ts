/**
 * Partitioned-table fixtures as a managed service has them: the tables belong to an application
 * role, and the restricted `pgsteward` role is a member of it (README "The database role":
 * `GRANT <owner_role> TO pgsteward`), never a superuser. Fixtures are still created by the
 * superuser session (`t.admin`); `adopt()` then hands them to the owner.
 *
 *   const t = useTestDatabase();
 *   const owner = useOwnerRole(t);     // after useTestDatabase: its beforeAll runs first
 *   await t.admin.query('create table …'); await owner.adopt();
 */
import type { TestDatabase } from './db';

export interface OwnerRole {
  /** The owner role's name (unique to the test database: roles are cluster-wide). */
  readonly name: string;
  /** Gives every table and schema the fixtures made (outside system and extension schemas) to the owner. */
  adopt(): Promise<void>;
}

export function useOwnerRole(t: TestDatabase, prefix = 'app_owner'): OwnerRole {
  let name: string | undefined;
  const role: OwnerRole = {
    get name() {
      if (!name) throw new Error('owner role used before beforeAll ran');
      return name;
    },
    async adopt() {
      // ALTER TABLE … OWNER does not recurse into partitions, so every relation is given on its
      // own; indexes and owned (serial/identity) sequences follow their table.
      await t.admin.query(`
        do $$
        declare r record;
        begin
          for r in select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                   where c.relkind in ('r', 'p') and c.relowner <> (select oid from pg_roles where rolname = ${lit(role.name)})
                     and n.nspname not in ('pg_catalog', 'information_schema', 'partman') and n.nspname not like 'pg\\_%'
          loop
            execute format('alter table %I.%I owner to %I', r.nspname, r.relname, ${lit(role.name)});
          end loop;
          -- The owner creates the new partitions, so it needs CREATE on their schema (not granted
          -- on public to everyone since PostgreSQL 15).
          for r in select nspname from pg_namespace where nspname not in ('pg_catalog', 'information_schema', 'partman') and nspname not like 'pg\\_%'
          loop
            execute format('grant usage, create on schema %I to %I', r.nspname, ${lit(role.name)});
          end loop;
        end
        $$`);
    },
  };
  beforeAll(async () => {
    name = `${prefix}_${t.name}`;
    await t.admin.query(`create role "${name}" nologin`);
    await t.admin.query(`grant "${name}" to pgsteward`);
    await role.adopt();
  });
  return role;
}

/** A role name as an SQL literal inside the DO block (names here are [a-z0-9_] only). */
function lit(s: string): string {
  if (!/^[a-z0-9_]+$/.test(s)) throw new Error(`unexpected role name ${s}`);
  return `'${s}'`;
}

/** Throws unless `db` runs as the restricted role (so a test cannot silently fall back to a superuser). */
export async function expectRestricted(db: { query(sql: string): Promise<Record<string, unknown>[]> }): Promise<void> {
  const [me] = await db.query(`select current_user as "user", (select rolsuper from pg_roles where rolname = current_user) as "super"`);
  if (me.user !== 'pgsteward' || me.super !== false) throw new Error(`expected the restricted role pgsteward, connected as ${String(me.user)} (superuser: ${String(me.super)})`);
}
