/**
 * RDS IAM tokens, signed locally with static test credentials (no network): the token is a
 * SigV4-presigned URL for host:port with Action=connect, DBUser and a 15-minute expiry, and its
 * signature is recomputed here from the AWS SigV4 algorithm with the secret key we gave
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
 */
import { createHash, createHmac } from 'node:crypto';
import { parseConfig } from '../../lib/config/load';
import { CredentialsError, resolveConnection } from '../../lib/pg/credentials';
import { iamAuthToken, iamSslMode } from '../../lib/pg/iam-token';
import { chooseTls } from '../../lib/pg/tls';

const HOST = 'orders.cluster-abc123.eu-west-1.rds.amazonaws.com';
const CREDS = { accessKeyId: 'AKIDPGSTEWARDTEST', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTKEY' };
const iamTarget = (extra: object = {}) => ({ host: HOST, port: 5432, database: 'orders', user: 'pgsteward', iam: { region: 'eu-west-1' }, ...extra });

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Recomputes the SigV4 query-string signature of a presigned GET / with only the host header signed. */
function expectedSignature(token: string, secretAccessKey: string): string {
  const url = new URL(`https://${token}`);
  const q = url.searchParams;
  const canonicalQuery = [...q.entries()]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const emptyBody = sha256('');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${url.host}`, '', 'host', emptyBody].join('\n');
  const [, date, region, service] = q.get('X-Amz-Credential')!.split('/');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', q.get('X-Amz-Date')!, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('RDS IAM token', () => {
  it('is a presigned URL for host:port asking to connect as the user, for 15 minutes, signed with the credentials given', async () => {
    const before = Date.now();
    const token = await iamAuthToken({ host: HOST, port: 5432, user: 'pgsteward', region: 'eu-west-1', credentials: CREDS });

    expect(token.startsWith(`${HOST}:5432/?`)).toBe(true);
    const q = new URL(`https://${token}`).searchParams;
    expect(q.get('Action')).toBe('connect');
    expect(q.get('DBUser')).toBe('pgsteward');
    expect(q.get('X-Amz-Expires')).toBe('900');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host');
    const [keyId, date, region, service, terminator] = q.get('X-Amz-Credential')!.split('/');
    expect({ keyId, region, service, terminator }).toEqual({ keyId: CREDS.accessKeyId, region: 'eu-west-1', service: 'rds-db', terminator: 'aws4_request' });
    const signedAt = Date.parse(q.get('X-Amz-Date')!.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
    expect(signedAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(date).toBe(q.get('X-Amz-Date')!.slice(0, 8));
    // The secret key signs the token but never appears in it.
    expect(token).not.toContain(CREDS.secretAccessKey);
    expect(q.get('X-Amz-Signature')).toBe(expectedSignature(token, CREDS.secretAccessKey));
    expect(q.get('X-Amz-Signature')).not.toBe(expectedSignature(token, `${CREDS.secretAccessKey}x`));
  });

  it('carries the session token of temporary credentials (a Lambda role\'s) inside the signed query', async () => {
    const token = await iamAuthToken({ host: HOST, port: 6432, user: 'app_ro', region: 'us-east-2', credentials: { ...CREDS, sessionToken: 'FwoGZXIvYXdzEXAMPLESESSION' } });
    const q = new URL(`https://${token}`).searchParams;
    expect(token.startsWith(`${HOST}:6432/?`)).toBe(true);
    expect(q.get('DBUser')).toBe('app_ro');
    expect(q.get('X-Amz-Security-Token')).toBe('FwoGZXIvYXdzEXAMPLESESSION');
    expect(q.get('X-Amz-Signature')).toBe(expectedSignature(token, CREDS.secretAccessKey));
  });

  it('is signed afresh for every connection: two resolutions a second apart give two tokens', async () => {
    const a = await resolveConnection(iamTarget(), { iamCredentials: CREDS });
    await new Promise((r) => setTimeout(r, 1100));
    const b = await resolveConnection(iamTarget(), { iamCredentials: CREDS });
    expect(a.password).not.toBe(b.password);
  });
});

describe('an IAM target resolved', () => {
  it('uses the token as the password, with verify-full TLS by default', async () => {
    const p = await resolveConnection(iamTarget(), { iamCredentials: CREDS });
    expect(p).toMatchObject({ host: HOST, port: 5432, database: 'orders', user: 'pgsteward', sslmode: 'verify-full', auth: 'iam' });
    expect(p.password!.startsWith(`${HOST}:5432/?Action=connect&DBUser=pgsteward&`)).toBe(true);
    expect(chooseTls(p.host, p.sslmode)).toMatchObject({ mode: 'verify-full', fallbackPlain: false });
  });

  it('keeps require and verify-ca when asked (an SSH tunnel to RDS cannot verify the host name)', async () => {
    expect((await resolveConnection(iamTarget({ host: '127.0.0.1', sslmode: 'require' }), { iamCredentials: CREDS })).sslmode).toBe('require');
    expect(iamSslMode(HOST, 'verify-ca')).toBe('verify-ca');
    // On loopback, a plain target would default to no TLS; an IAM target does not.
    expect(iamSslMode('127.0.0.1', undefined)).toBe('verify-full');
  });

  it.each(['disable', 'allow', 'prefer'] as const)('refuses sslmode %s before signing: the token must not travel in clear', async (sslmode) => {
    const provider = jest.fn(async () => CREDS);
    const err = await resolveConnection(iamTarget({ sslmode }), { iamCredentials: provider }).catch((e) => e);
    expect(err).toBeInstanceOf(CredentialsError);
    expect(provider).not.toHaveBeenCalled();
    expect(err.message).toContain(`sslmode "${sslmode}"`);
    expect(err.message).toMatch(/must not travel without TLS/);
  });

  it('takes the region from iam.region, else from the runtime (AWS_REGION), else fails saying so', async () => {
    const fromRuntime = await resolveConnection(iamTarget({ iam: {} }), { iamCredentials: CREDS, defaultRegion: 'ap-southeast-2' });
    expect(new URL(`https://${fromRuntime.password}`).searchParams.get('X-Amz-Credential')).toContain('/ap-southeast-2/rds-db/');
    const configured = await resolveConnection(iamTarget(), { iamCredentials: CREDS, defaultRegion: 'ap-southeast-2' });
    expect(new URL(`https://${configured.password}`).searchParams.get('X-Amz-Credential')).toContain('/eu-west-1/rds-db/');

    const saved = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      const err = await resolveConnection(iamTarget({ iam: {} }), { iamCredentials: CREDS }).catch((e) => e);
      expect(err).toBeInstanceOf(CredentialsError);
      expect(err.message).toMatch(/no region is known: set connection\.iam\.region, or AWS_REGION/);
    } finally {
      if (saved !== undefined) process.env.AWS_REGION = saved;
    }
  });

  it('names the host and user, not a key, when there are no AWS credentials to sign with', async () => {
    const noCreds = async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    };
    const err = await iamAuthToken({ host: HOST, port: 5432, user: 'pgsteward', region: 'eu-west-1', credentials: noCreds }).catch((e) => e);
    expect(err).toBeInstanceOf(CredentialsError);
    expect(err.message).toBe(`cannot sign an IAM token for pgsteward@${HOST}:5432 in eu-west-1: CredentialsProviderError: Could not load credentials from any providers`);
  });
});

describe('an IAM target in the config', () => {
  it.each(['disable', 'allow', 'prefer'])('with sslmode %s is refused when the config is read, naming the field', (sslmode) => {
    expect(() => parseConfig({ targets: [{ id: 'x', connection: { ...iamTarget(), sslmode } }] }, 'cfg'))
      .toThrow(/targets\[0\]\.connection\.sslmode: an IAM token must not travel without TLS/);
    expect(() => parseConfig({ targets: [{ id: 'x', connection: { ...iamTarget(), sslmode: 'require' } }] }, 'cfg')).not.toThrow();
  });
});
