/**
 * Turns a target's `connection` into concrete connection parameters: from a URL, from host
 * fields, from a Secrets Manager secret in the RDS JSON shape ({username, password, host, port,
 * dbname}), or from host fields plus a fresh RDS IAM token. The only place that talks to Secrets
 * Manager (./secret-cache) and signs IAM tokens (./iam-token).
 *
 * Nothing here puts a password in an error message: errors name the ARN, host or field.
 */
import { parse } from 'pg-connection-string';
import type { ConnectionConfig } from '../config/schema';
import { CredentialsError } from './credentials-error';
import { iamAuthToken, iamSslMode, IamTokenRequest } from './iam-token';
import { readPendingSecret, readSecret } from './secret-cache';
import type { SslMode } from './tls';

export { CredentialsError };

export interface ConnectionParams {
  host: string;
  port: number;
  database: string;
  user: string;
  /** A password or, with `auth: 'iam'`, a 15-minute token. Never log it. */
  password?: string;
  sslmode?: SslMode;
  sslrootcert?: string;
  /** How the password was obtained: decides what a failed login means and whether to retry. */
  auth?: 'password' | 'secret' | 'iam';
}

export interface ResolveOptions {
  /** Bypass the process-wide secret cache (after a failed login). */
  fresh?: boolean;
  /** Read the secret's AWSPENDING version (a rotation caught half way); undefined result when there is none. */
  pending?: boolean;
  /** The runtime's region, for IAM tokens without `iam.region` (default: AWS_REGION). */
  defaultRegion?: string;
  /** Credentials to sign IAM tokens with (tests); default: the AWS provider chain. */
  iamCredentials?: IamTokenRequest['credentials'];
}

export async function resolveConnection(conn: ConnectionConfig, opts: ResolveOptions = {}): Promise<ConnectionParams> {
  if ('url' in conn) return { ...fromUrl(conn.url, conn.sslmode), auth: 'password' };
  if ('secretArn' in conn) return fromSecret(conn, opts.fresh ?? false, opts.pending ?? false);
  const port = conn.port ?? 5432;
  if ('iam' in conn) {
    // Checked before signing: a token must not even be made for a clear-text connection.
    const sslmode = iamSslMode(conn.host, conn.sslmode);
    const password = await iamAuthToken({
      host: conn.host,
      port,
      user: conn.user,
      region: conn.iam.region,
      // The one place the runtime's region is read, as the SDK itself would read it.
      defaultRegion: opts.defaultRegion ?? process.env.AWS_REGION,
      credentials: opts.iamCredentials,
    });
    return { host: conn.host, port, database: conn.database, user: conn.user, password, sslmode, auth: 'iam' };
  }
  return { host: conn.host, port, database: conn.database, user: conn.user, password: conn.password, sslmode: conn.sslmode, auth: 'password' };
}

export function fromUrl(url: string, sslmodeOverride?: SslMode): ConnectionParams {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(url);
  } catch {
    // Neither the URL nor the parser's message (which may quote it) is repeated: it can hold a password.
    throw new CredentialsError('connection.url is not a valid PostgreSQL URL (postgres://user@host:port/dbname?sslmode=…)');
  }
  const sslmode = (sslmodeOverride ?? (parsed.sslmode as SslMode | undefined)) || undefined;
  return {
    host: parsed.host ?? 'localhost',
    port: parsed.port ? Number(parsed.port) : 5432,
    database: parsed.database || parsed.user || 'postgres',
    user: parsed.user ?? process.env.USER ?? 'postgres',
    password: parsed.password,
    sslmode,
    sslrootcert: typeof parsed.sslrootcert === 'string' ? parsed.sslrootcert : undefined,
  };
}

interface RdsSecret {
  username?: unknown;
  password?: unknown;
  host?: unknown;
  port?: unknown;
  dbname?: unknown;
}

const SHAPE = 'RDS shape: {username, password, host, port, dbname}';

async function fromSecret(conn: Extract<ConnectionConfig, { secretArn: string }>, fresh: boolean, pending: boolean): Promise<ConnectionParams> {
  const text = pending ? await readPendingSecret(conn.secretArn) : await readSecret(conn.secretArn, { fresh });
  if (text === undefined) throw new NoPendingSecret(conn.secretArn);
  let s: RdsSecret;
  try {
    s = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error: it would print the secret.
    throw new CredentialsError(`secret ${conn.secretArn} is not JSON (${SHAPE})`);
  }
  if (!s || typeof s !== 'object') throw new CredentialsError(`secret ${conn.secretArn} is not a JSON object (${SHAPE})`);
  const host = conn.host ?? s.host;
  if (typeof host !== 'string' || !host || typeof s.username !== 'string' || !s.username) {
    throw new CredentialsError(`secret ${conn.secretArn} lacks ${typeof host !== 'string' || !host ? '"host"' : '"username"'} (${SHAPE})`);
  }
  if (s.password !== undefined && typeof s.password !== 'string') {
    throw new CredentialsError(`secret ${conn.secretArn}: "password" is not a string (${SHAPE})`);
  }
  return {
    host,
    port: conn.port ?? (s.port ? Number(s.port) : 5432),
    database: conn.database ?? (typeof s.dbname === 'string' && s.dbname ? s.dbname : 'postgres'),
    user: s.username,
    password: s.password,
    sslmode: conn.sslmode,
    auth: 'secret',
  };
}

/** Asked for a secret's pending version when no rotation is in progress. */
export class NoPendingSecret extends CredentialsError {
  constructor(secretArn: string) {
    super(`secret ${secretArn} has no AWSPENDING version`);
  }
}
