-- pgsteward's database role, with only what its advisors need.
--
-- Run as a superuser (on RDS/Aurora: the master user) in every database pgsteward looks after:
--     psql "postgres://admin@host/dbname" -f sql/roles.sql
-- It takes no variables and is safe to run again (after adding schemas or sequences, re-run it).
-- Give the role a password afterwards (ALTER ROLE pgsteward PASSWORD '...') and keep it in
-- Secrets Manager, or grant rds_iam for IAM authentication.

\set ON_ERROR_STOP on

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgsteward') THEN
    -- No superuser, no CREATEDB/CREATEROLE; a small connection limit so a runaway
    -- schedule can never take the application's connections.
    CREATE ROLE pgsteward LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE CONNECTION LIMIT 5;
  END IF;
END
$$;

-- health: pg_monitor reads every session in pg_stat_activity, pg_stat_* views, pg_locks,
-- replication slots and settings (PostgreSQL docs, "Predefined Roles").
GRANT pg_monitor TO pgsteward;

-- health (sequences): reading a sequence's last value needs SELECT or USAGE on it
-- (PostgreSQL docs, pg_sequences.last_value); pghero asks for the same grant.
DO $$
DECLARE
  s record;
BEGIN
  FOR s IN
    SELECT nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema')
      AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp%'
  LOOP
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO pgsteward', s.nspname);
    EXECUTE format('GRANT SELECT ON ALL SEQUENCES IN SCHEMA %I TO pgsteward', s.nspname);
    -- advise: EXPLAIN checks the same table privileges as running the statement, and pg_stats
    -- shows a column's statistics only to who may read it (PostgreSQL docs, EXPLAIN; pg_stats).
    -- This lets pgsteward read application data: grant per schema here, or remove a schema's
    -- grant to keep it out of advice. UPDATE/DELETE are planned as SELECTs: no write privilege.
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO pgsteward', s.nspname);
  END LOOP;
END
$$;

-- advise: every statement's text, whoever ran it (pg_monitor includes it; explicit so that
-- revoking pg_monitor cannot silently blind the advisor).
GRANT pg_read_all_stats TO pgsteward;

-- advise: the statistics source and the hypothetical-index engine, in this database, when the
-- server has them (pg_stat_statements also needs shared_preload_libraries; HypoPG's functions
-- are executable by everyone once the extension exists).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements') THEN
    CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg') THEN
    CREATE EXTENSION IF NOT EXISTS hypopg;
  END IF;
END
$$;

-- partitions: creating, attaching and detaching partitions needs the privileges of the
-- partitioned tables' owner (PostgreSQL docs, ALTER TABLE: "You must own the table"). This
-- script cannot know who that is; for each owner of tables pgsteward maintains, run once:
--     GRANT <owner_role> TO pgsteward;
-- (on RDS/Aurora, the master user can grant any role it belongs to). pgsteward then acts as
-- that owner only for partition DDL; health and advise do not need it. The owner also needs
-- CREATE on the tables' schema (PostgreSQL 15 no longer grants it on public to everyone).
