/**
 * The one call the runners make to reach a target: resolve its credentials, connect, and, when
 * a secret-based login is rejected, read the secret again and retry once in the same run; if
 * that is rejected too, try the secret's AWSPENDING version once (a rotation caught between
 * setting the database password and promoting the new secret version).
 *
 * Why: Secrets Manager rotation changes the password in the database and then in the secret;
 * a process that cached the secret (./secret-cache) before the rotation would otherwise fail
 * until its container is recycled. A login rejection is SQLSTATE 28P01 (invalid_password) or
 * 28000 (invalid_authorization_specification, e.g. no pg_hba.conf line for that user)
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html). Only the fact of the re-read
 * is logged, with the ARN: never a value.
 */
import { Logger, silentLogger } from '../log';
import { ConnectionConfig } from '../config/schema';
import { ConnectionParams, NoPendingSecret, resolveConnection, ResolveOptions } from './credentials';
import { Db, SessionOptions } from './db';
import { AuthenticationError } from './errors';
import { forgetSecret } from './secret-cache';

export interface ConnectTargetOptions extends Omit<ResolveOptions, 'fresh'> {
  /** Told where the run is connecting (host, port, database, user) before it tries, for reports. */
  onResolved?: (where: Pick<ConnectionParams, 'host' | 'port' | 'database' | 'user'>) => void;
}

const LOGIN_REJECTED = new Set(['28P01', '28000']);

export function isLoginRejected(err: unknown): boolean {
  return err instanceof AuthenticationError && LOGIN_REJECTED.has(err.code ?? '');
}

export async function connectTarget(connection: ConnectionConfig, session: SessionOptions, logger: Logger = silentLogger, opts: ConnectTargetOptions = {}): Promise<Db> {
  const { onResolved, ...resolve } = opts;
  const params = await resolveConnection(connection, resolve);
  onResolved?.(where(params));
  try {
    return await Db.connect(params, session);
  } catch (err) {
    if (!('secretArn' in connection) || !isLoginRejected(err)) throw explain(err, params);
    const secretArn = connection.secretArn;
    logger.warn('login rejected with the secret as read; reading the secret again (it may have just been rotated) and retrying once', {
      secretArn, code: (err as AuthenticationError).code,
    });
    forgetSecret(secretArn);
    const again = await resolveConnection(connection, { ...resolve, fresh: true });
    onResolved?.(where(again));
    try {
      const db = await Db.connect(again, session);
      logger.info('connected with the re-read secret', { secretArn });
      return db;
    } catch (second) {
      if (!isLoginRejected(second)) throw second;
      // A rotation caught half way: the database already has the pending password, the secret's
      // current version not yet (setSecret runs before finishSecret). Try the pending one once.
      const pending = await resolveConnection(connection, { ...resolve, pending: true }).catch((e) => {
        if (e instanceof NoPendingSecret) throw second;
        throw e;
      });
      const db = await Db.connect(pending, session);
      logger.warn('connected with the secret\'s pending version: a rotation is in progress', { secretArn });
      return db;
    }
  }
}

function where(p: ConnectionParams): Pick<ConnectionParams, 'host' | 'port' | 'database' | 'user'> {
  return { host: p.host, port: p.port, database: p.database, user: p.user };
}

/** A rejected IAM login says which two grants it takes (RDS answers only "PAM authentication failed"). */
function explain(err: unknown, params: ConnectionParams): unknown {
  if (params.auth !== 'iam' || !isLoginRejected(err)) return err;
  const e = err as AuthenticationError;
  return new AuthenticationError(
    `${e.message} (IAM authentication: the database user needs "GRANT rds_iam TO ${params.user};" (sql/rds-iam.sql) and the caller's IAM role ` +
      `"rds-db:connect" on arn:aws:rds-db:<region>:<account>:dbuser:<resource id>/${params.user}; see docs/permissions.md)`,
    { code: e.code, detail: e.detail, hint: e.hint, cause: e.cause },
  );
}
