/**
 * RDS IAM authentication: a token from @aws-sdk/rds-signer takes the place of the password
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.html).
 *
 * The token is a SigV4-presigned URL (`host:port/?Action=connect&DBUser=…&X-Amz-Expires=900&…`)
 * valid for 15 minutes. Signing is local (no network call), so a token is made for every
 * connection and never cached: a Lambda container lives longer than a token, and a cached one
 * would fail with "PAM authentication failed" an hour later.
 *
 * The token is a bearer credential, so it must never travel in clear: RDS refuses IAM logins
 * without TLS anyway, but we refuse first, before signing, with an error that says why.
 */
import { Signer, SignerConfig } from '@aws-sdk/rds-signer';
import { CredentialsError } from './credentials-error';
import type { SslMode } from './tls';

/** The modes that may send the token without TLS (libpq: disable never, allow/prefer on refusal). */
const CLEAR_TEXT_MODES: ReadonlySet<SslMode> = new Set(['disable', 'allow', 'prefer']);

export interface IamTokenRequest {
  host: string;
  port: number;
  user: string;
  /** `iam.region` from the config. */
  region?: string;
  /** The runtime's region (AWS_REGION), read once by the caller. */
  defaultRegion?: string;
  /** Static credentials for tests; otherwise the default provider chain (the Lambda role). */
  credentials?: SignerConfig['credentials'];
}

/**
 * The sslmode an IAM connection uses: verify-full unless the config asks for require/verify-ca;
 * modes that could send the token in clear are refused. verify-full even on loopback: there an
 * IAM host is an SSH tunnel or port-forward to RDS, which needs `sslmode: require` (the
 * certificate names the RDS endpoint, not localhost).
 */
export function iamSslMode(host: string, sslmode: SslMode | undefined): SslMode {
  if (sslmode && CLEAR_TEXT_MODES.has(sslmode)) {
    throw new CredentialsError(
      `connection to ${host} uses IAM authentication with sslmode "${sslmode}": an IAM token is a bearer credential and must not travel without TLS; ` +
        'use sslmode "verify-full" (the default), "verify-ca" or "require"',
    );
  }
  return sslmode ?? 'verify-full';
}

export function iamRegion(req: Pick<IamTokenRequest, 'host' | 'region' | 'defaultRegion'>): string {
  const region = req.region ?? req.defaultRegion;
  if (!region) {
    throw new CredentialsError(`connection to ${req.host} uses IAM authentication but no region is known: set connection.iam.region, or AWS_REGION in the environment`);
  }
  return region;
}

/** A fresh 15-minute token for user@host:port. Never log or report what this returns. */
export async function iamAuthToken(req: IamTokenRequest): Promise<string> {
  const region = iamRegion(req);
  const signer = new Signer({ hostname: req.host, port: req.port, username: req.user, region, credentials: req.credentials });
  try {
    return await signer.getAuthToken();
  } catch (err) {
    // e.g. CredentialsProviderError when the process has no AWS credentials; its message names
    // the providers tried, never a key.
    throw new CredentialsError(`cannot sign an IAM token for ${req.user}@${req.host}:${req.port} in ${region}: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
}
