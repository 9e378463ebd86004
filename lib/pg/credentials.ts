/**
 * Turns a target's `connection` into concrete connection parameters: from a URL, from host
 * fields, or from a Secrets Manager secret in the RDS JSON shape
 * ({username, password, host, port, dbname}). The only place that talks to Secrets Manager.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parse } from 'pg-connection-string';
import { PgstewardError } from '../errors';
import type { ConnectionConfig } from '../config/schema';
import type { SslMode } from './tls';

export interface ConnectionParams {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  sslmode?: SslMode;
  sslrootcert?: string;
}

export class CredentialsError extends PgstewardError {}

let secretsClient: SecretsManagerClient | undefined;
function secrets(): SecretsManagerClient {
  secretsClient ??= new SecretsManagerClient({});
  return secretsClient;
}

export async function resolveConnection(conn: ConnectionConfig): Promise<ConnectionParams> {
  if ('url' in conn) return fromUrl(conn.url, conn.sslmode);
  if ('secretArn' in conn) return fromSecret(conn);
  return {
    host: conn.host,
    port: conn.port ?? 5432,
    database: conn.database,
    user: conn.user,
    password: 'password' in conn ? conn.password : undefined, // iam: the token is added by H-creds (issue 5)
    sslmode: conn.sslmode,
  };
}

export function fromUrl(url: string, sslmodeOverride?: SslMode): ConnectionParams {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(url);
  } catch (err) {
    throw new CredentialsError(`connection.url is not a valid PostgreSQL URL (${(err as Error).message})`);
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
  username?: string;
  password?: string;
  host?: string;
  port?: number | string;
  dbname?: string;
}

async function fromSecret(conn: Extract<ConnectionConfig, { secretArn: string }>): Promise<ConnectionParams> {
  let text: string | undefined;
  try {
    const out = await secrets().send(new GetSecretValueCommand({ SecretId: conn.secretArn }));
    text = out.SecretString;
  } catch (err) {
    // Never echo the secret; the ARN and the AWS error name are enough to act on.
    throw new CredentialsError(`cannot read secret ${conn.secretArn}: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
  let s: RdsSecret;
  try {
    s = JSON.parse(text ?? '');
  } catch {
    throw new CredentialsError(`secret ${conn.secretArn} is not JSON in the RDS shape {username, password, host, port, dbname}`);
  }
  const host = conn.host ?? s.host;
  if (!host || !s.username) {
    throw new CredentialsError(`secret ${conn.secretArn} lacks ${!host ? '"host"' : '"username"'} (RDS shape: {username, password, host, port, dbname})`);
  }
  return {
    host,
    port: conn.port ?? (s.port ? Number(s.port) : 5432),
    database: conn.database ?? s.dbname ?? 'postgres',
    user: s.username,
    password: s.password,
    sslmode: conn.sslmode,
  };
}
