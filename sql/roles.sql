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
  END LOOP;
END
$$;
