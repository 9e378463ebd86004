/**
 * The one statement that reads a parent and all its partitions from the catalog. Bounds are the
 * REAL ones, from pg_get_expr(relpartbound) (https://www.postgresql.org/docs/current/catalog-pg-class.html),
 * never guessed from names: hand-made and pg_partman partitions are adopted as they are.
 *
 * The bound literals are cast back to the key type in the same statement, so a timestamptz bound
 * (which pg_get_expr renders in the session's TimeZone) is read in that same zone.
 * $1 schema (null: search_path), $2 table, $3 name prefix for possible name collisions.
 */

/** Bound text (unquoted literal, or null for MINVALUE/MAXVALUE) → comparable key as text; see ./types.ts. */
function keyOfText(v: string, typ: string): string {
  return `case when ${v} is null then null
      when ${typ} = 'timestamptz'::regtype then (extract(epoch from ${v}::timestamptz) * 1000000)::bigint
      when ${typ} = 'timestamp'::regtype then (extract(epoch from ${v}::timestamp) * 1000000)::bigint
      when ${typ} = 'date'::regtype then (extract(epoch from ${v}::date) * 1000000)::bigint
      when ${typ} in ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) then ${v}::bigint
    end::text`;
}

/** A quoted literal from pg_get_expr ('2024-01-01 00:00:00+00', with '' for a quote) → its value; MINVALUE → null. */
function unquote(v: string): string {
  return `case when ${v} like '''%' then replace(substr(${v}, 2, length(${v}) - 2), '''''', '''')
      when ${v} ~ '^-?[0-9]+$' then ${v} end`;
}

export const CATALOG_SQL = `
with parent as (
  select c.oid, n.nspname, c.relname, c.relkind, c.relnamespace
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  where c.oid = to_regclass(case when $1::text is null then quote_ident($2::text)
                                 else quote_ident($1::text) || '.' || quote_ident($2::text) end)
),
pkey as (
  select p.oid, pt.partstrat, pt.partnatts, a.attname, a.atttypid,
         format_type(a.atttypid, a.atttypmod) as key_type,
         (select array_agg(coalesce(ka.attname::text, '(expression)') order by k.i)
          from unnest(pt.partattrs::int2[]) with ordinality k(attnum, i)
          left join pg_attribute ka on ka.attrelid = p.oid and ka.attnum = k.attnum) as key_columns
  from parent p
  left join pg_partitioned_table pt on pt.partrelid = p.oid
  left join pg_attribute a on a.attrelid = p.oid and pt.partnatts = 1 and a.attnum = pt.partattrs[0]
),
-- MATERIALIZED: the expressions below use m, lo and hi several times each; inlined, every use
-- would re-run pg_get_expr and the regex (measured on 31 partitions: 7.3 ms inlined, 0.9 ms materialized).
parts as materialized (
  select n.nspname, c.relname, c.relkind = 'p' as sub, c.reltuples, b.expr = 'DEFAULT' as is_default,
         regexp_match(b.expr, '^FOR VALUES FROM \\((.*)\\) TO \\((.*)\\)$') as m
  from parent p
  join pg_inherits i on i.inhparent = p.oid
  join pg_class c on c.oid = i.inhrelid
  join pg_namespace n on n.oid = c.relnamespace
  cross join lateral (select pg_get_expr(c.relpartbound, c.oid) as expr) b
),
vals as materialized (
  select parts.*, ${unquote('parts.m[1]')} as lo, ${unquote('parts.m[2]')} as hi
  from parts
)
select p.nspname as schema, p.relname as table, p.relkind, k.partstrat, k.key_columns,
       k.attname as key_column, k.atttypid::regtype::text as key_regtype, k.key_type,
       (select coalesce(json_agg(json_build_object(
                 'schema', v.nspname, 'name', v.relname, 'sub', v.sub, 'is_default', v.is_default,
                 'reltuples', v.reltuples, 'from', v.lo, 'to', v.hi,
                 'from_key', ${keyOfText('v.lo', 'k.atttypid')},
                 'to_key', ${keyOfText('v.hi', 'k.atttypid')})
               order by v.relname), '[]'::json)
        from vals v) as partitions,
       -- A range on relname (name sorts in C order) uses pg_class's (relname, relnamespace)
       -- index instead of scanning every relation once per table.
       (select coalesce(array_agg(c2.relname::text), '{}')
        from pg_class c2
        where c2.relname >= $3::text::name and c2.relname < ($3::text || chr(1114111))::name
          and c2.relnamespace = p.relnamespace) as taken
from parent p
join pkey k on k.oid = p.oid`;
