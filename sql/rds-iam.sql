-- Optional: let pgsteward log in with an RDS IAM token instead of a password.
--
-- RDS for PostgreSQL and Aurora PostgreSQL only. The rds_iam role exists there and nowhere
-- else: on plain PostgreSQL this script fails with 'role "rds_iam" does not exist', and there
-- is nothing to do (use a password kept in Secrets Manager instead).
--
-- Run as the master user, after sql/roles.sql, once per instance or cluster (roles are
-- cluster-wide):
--     psql "postgres://admin@host/dbname" -f sql/rds-iam.sql
--
-- Then:
--   * IAM database authentication must be enabled on the instance or cluster
--     (aws rds modify-db-instance --enable-iam-database-authentication, or the console);
--   * the function's role needs rds-db:connect on
--     arn:aws:rds-db:REGION:ACCOUNT:dbuser:RESOURCE_ID/pgsteward (the stack grants exactly
--     that from the target's connection.iam.resourceId; see docs/permissions.md);
--   * the target's connection is {host, port, database, user: "pgsteward", iam: {...}}; TLS
--     is mandatory (pgsteward refuses sslmode disable/allow/prefer for IAM targets).
--
-- A member of rds_iam can no longer log in with a password: RDS sends it through IAM
-- authentication only (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html).
-- To go back to a password: REVOKE rds_iam FROM pgsteward;

\set ON_ERROR_STOP on

GRANT rds_iam TO pgsteward;
