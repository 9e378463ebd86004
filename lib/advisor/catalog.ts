/**
 * The catalog the resolver looks names up in: every user relation (tables, partitioned tables
 * and their partitions, views, materialized views, foreign tables) with its columns, loaded
 * once per run in one statement, plus the search paths in a second one.
 *
 * Names are stored as PostgreSQL stores them (unquoted identifiers already folded to lower
 * case by the parser, quoted ones exact), so lookup() wants names as the parser returns them.
 *
 * Search path. An unqualified name is looked up through the search_path of the session that ran
 * the statement, which is not ours: pg_stat_statements only records the role. `searchPathFor`
 * rebuilds that role's default the way PostgreSQL applies settings at login (PostgreSQL docs,
 * ALTER ROLE: "role-and-database-specific settings override role-specific ones, which in turn
 * override database-specific ones"), then the server default. A `SET search_path` issued by the
 * application inside its session cannot be known here.
 */
import type { Db } from '../pg/db';
import type { Catalog, CatalogColumn, CatalogRelation } from './types';

/** Schemas that hold no user relations (temp schemas belong to other sessions). */
const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema'];

const RELATIONS_SQL = `
select c.oid,
       n.nspname as schema,
       c.relname as name,
       c.relkind,
       case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid, true) end as view_definition,
       case when c.relispartition then (select i.inhparent from pg_inherits i where i.inhrelid = c.oid) end as parent_oid,
       c.reltuples::float8 as reltuples,
       c.relpages::float8 as relpages,
       coalesce((select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                                   'notNull', a.attnotnull, 'attnum', a.attnum) order by a.attnum)
                 from pg_attribute a
                 where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]') as columns
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'v', 'm', 'f')
  and n.nspname <> all($1::text[])
  and n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
order by n.nspname, c.relname`;

/**
 * Our own search path (current_schemas(false): existing schemas only, implicit ones left out),
 * the role/database settings that apply in this database (pg_db_role_setting is readable by
 * every role), and the server default. The server default is our session's value only when
 * that came from the configuration, not from a role or database setting; otherwise the
 * built-in default ("$user", public: PostgreSQL docs, search_path) stands in for it, since the
 * configuration file itself (pg_file_settings) is for superusers.
 */
const SEARCH_PATH_SQL = `
select current_schemas(false)::text[] as path,
       current_user as "user",
       (select case when source in ('default', 'configuration file', 'command line', 'environment variable', 'override')
                    then reset_val else boot_val end
        from pg_settings where name = 'search_path') as server_default,
       coalesce((select json_agg(json_build_object('role', r.rolname, 'anyDatabase', s.setdatabase = 0, 'config', s.setconfig))
                 from pg_db_role_setting s
                 left join pg_roles r on r.oid = s.setrole
                 where s.setdatabase in (0, (select oid from pg_database where datname = current_database()))), '[]') as settings`;

export interface LoadedCatalog extends Catalog {
  relations: CatalogRelation[];
  /** This connection's effective search path (current_schemas(false)). */
  searchPath: string[];
  /** The same relations, unqualified names resolved through `path` instead. */
  withSearchPath(path: string[]): Catalog;
  /** The default search path of `role` when it logs into this database ($user substituted). */
  searchPathFor(role: string): string[];
}

const KINDS: Record<string, CatalogRelation['kind']> = { r: 'table', p: 'partitioned', v: 'view', m: 'matview', f: 'foreign' };

/** One row of pg_db_role_setting that applies in this database (role null: every role). */
export interface RoleSetting {
  role: string | null;
  anyDatabase: boolean;
  config: string[] | null;
}

export async function loadCatalog(db: Db): Promise<LoadedCatalog> {
  const rows = await db.query(RELATIONS_SQL, [SYSTEM_SCHEMAS]);
  const relations = rows.map(
    (r): CatalogRelation => ({
      oid: Number(r.oid),
      schema: r.schema,
      name: r.name,
      kind: KINDS[r.relkind] ?? 'other',
      columns: (r.columns as CatalogColumn[]).map((c) => ({ name: c.name, type: c.type, notNull: c.notNull, attnum: Number(c.attnum) })),
      ...(r.view_definition != null ? { viewDefinition: r.view_definition } : {}),
      ...(r.parent_oid != null ? { parentOid: Number(r.parent_oid) } : {}),
      // -1 (PG 14+) means never vacuumed or analyzed: the planner then estimates from the size.
      reltuples: Number(r.reltuples),
      relpages: Number(r.relpages),
    }),
  );
  const [sp] = await db.query(SEARCH_PATH_SQL);
  return buildCatalog(relations, sp.path as string[], { settings: sp.settings as RoleSetting[], serverDefault: String(sp.server_default ?? '"$user", public') });
}

/** Pure: a catalog over given relations (the resolver's tests can build one without a database). */
export function buildCatalog(relations: CatalogRelation[], searchPath: string[], defaults: { settings: RoleSetting[]; serverDefault: string } = { settings: [], serverDefault: '"$user", public' }): LoadedCatalog {
  const byName = new Map<string, CatalogRelation>();
  const byOid = new Map<number, CatalogRelation>();
  for (const r of relations) {
    byName.set(`${r.schema}\0${r.name}`, r);
    byOid.set(r.oid, r);
  }
  const resolver = (path: string[]): Catalog => ({
    lookup(schema, name) {
      if (schema !== undefined) return byName.get(`${schema}\0${name}`);
      for (const s of path) {
        const hit = byName.get(`${s}\0${name}`);
        if (hit) return hit;
      }
      return undefined;
    },
    byOid: (oid) => byOid.get(oid),
  });
  const own = resolver(searchPath);
  return {
    ...own,
    relations,
    searchPath,
    withSearchPath: (path) => resolver(path),
    searchPathFor(role) {
      const pick = (match: (s: RoleSetting) => boolean) => {
        for (const s of defaults.settings.filter(match)) {
          const item = (s.config ?? []).find((c) => c.startsWith('search_path='));
          if (item) return item.slice('search_path='.length);
        }
        return undefined;
      };
      const setting =
        pick((s) => s.role === role && !s.anyDatabase) ?? pick((s) => s.role === role && s.anyDatabase) ?? pick((s) => s.role === null && !s.anyDatabase) ?? defaults.serverDefault;
      return parseSearchPath(setting, role);
    },
  };
}

/**
 * Pure: a search_path value as schema names: split on commas outside double quotes, unquoted
 * names folded to lower case, quoted ones kept, "$user" replaced by the role (PostgreSQL docs,
 * "The Schema Search Path"). Schemas that do not exist are simply never matched, as in PostgreSQL.
 */
export function parseSearchPath(setting: string, role: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^,\s][^,]*?))\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < setting.length && (m = re.exec(setting))) {
    const quoted = m[1] !== undefined;
    const name = quoted ? m[1].replace(/""/g, '"') : m[2].toLowerCase();
    out.push(name === '$user' ? role : name);
  }
  return out;
}
