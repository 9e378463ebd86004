/**
 * Secrets Manager reads, cached for the life of the process: a Lambda container runs many
 * targets (often sharing one secret) and many invocations, and GetSecretValue costs a call and
 * latency each time. Concurrent readers of one secret share one call.
 *
 * A cached value goes stale when the secret is rotated; ./connect-target drops the entry and
 * reads again when a login fails, and entries also expire after an hour, the default refresh
 * interval of AWS's own secrets caching clients
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_cache-java.html).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CredentialsError } from './credentials-error';

const TTL_MS = 60 * 60 * 1000;

interface Entry {
  value: Promise<string>;
  readAt: number;
}

const cache = new Map<string, Entry>();
const clients = new Map<string, SecretsManagerClient>();

/**
 * One client per region, taken from the ARN (`arn:aws:secretsmanager:REGION:…`): a secret in
 * another region than the function's is read where it lives. A bare name uses the default region.
 */
function clientFor(secretId: string): SecretsManagerClient {
  const region = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/.exec(secretId)?.[1] ?? '';
  let client = clients.get(region);
  if (!client) {
    client = new SecretsManagerClient(region ? { region } : {});
    clients.set(region, client);
  }
  return client;
}

/** The secret's SecretString; `fresh` skips (and replaces) the cached value. */
export function readSecret(secretId: string, opts: { fresh?: boolean; now?: number } = {}): Promise<string> {
  const now = opts.now ?? Date.now();
  const hit = cache.get(secretId);
  if (hit && !opts.fresh && now - hit.readAt < TTL_MS) return hit.value;
  const value = fetchSecret(secretId);
  cache.set(secretId, { value, readAt: now });
  // A failed read is not remembered: the next target (or invocation) tries again.
  value.catch(() => {
    if (cache.get(secretId)?.value === value) cache.delete(secretId);
  });
  return value;
}

/**
 * The secret's pending version (AWSPENDING), uncached, or undefined when there is none. During a
 * rotation, Secrets Manager's setSecret step changes the database password to the pending value
 * before finishSecret promotes it to AWSCURRENT
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_how.html): a login
 * in that window works only with the pending one.
 */
export async function readPendingSecret(secretId: string): Promise<string | undefined> {
  try {
    const out = await clientFor(secretId).send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSPENDING' }));
    return out.SecretString;
  } catch (err) {
    // No rotation in progress: no version carries the label.
    if ((err as Error).name === 'ResourceNotFoundException') return undefined;
    throw new CredentialsError(`cannot read the pending version of secret ${secretId}: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
}

/** Forgets one secret (it was rejected by the server) or, without an id, all of them (tests). */
export function forgetSecret(secretId?: string): void {
  if (secretId === undefined) cache.clear();
  else cache.delete(secretId);
}

async function fetchSecret(secretId: string): Promise<string> {
  let text: string | undefined;
  try {
    const out = await clientFor(secretId).send(new GetSecretValueCommand({ SecretId: secretId }));
    text = out.SecretString;
  } catch (err) {
    // Never echo the secret; the ARN and the AWS error name are enough to act on.
    throw new CredentialsError(`cannot read secret ${secretId}: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
  if (text === undefined) throw new CredentialsError(`secret ${secretId} has no SecretString (binary secrets are not supported; ${'RDS shape: {username, password, host, port, dbname}'})`);
  return text;
}
