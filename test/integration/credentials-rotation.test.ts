/**
 * A rotated secret, found out in the same run: the real cluster checks passwords over TCP
 * (pg_hba `host … scram-sha-256`, test/support/cluster.ts); Secrets Manager is mocked at the SDK
 * boundary. When the server rejects the secret as read (28P01), connectTarget drops the cached
 * value, reads the secret once more and retries once, logging the re-read without any value.
 */
import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { resolveAlerts, resolveTarget } from '../../lib/config/resolve';
import type { Logger } from '../../lib/log';
import { AuthenticationError, ConnectError, connectTarget, CredentialsError, forgetSecret } from '../../lib/pg';
import { runHealth } from '../../lib/runner/health';
import { useTestDatabase } from '../support/db';
import { registerSecret } from '../support/secret-capture';

const t = useTestDatabase();
const sm = mockClient(SecretsManagerClient);
const session = { statementTimeoutMs: 10_000, lockTimeoutMs: 1_000, connectTimeoutMs: 5_000 };
const ROLE = `rot_${randomBytes(3).toString('hex')}`;
const OLD = `S3cr3t-canary-old-${randomBytes(6).toString('hex')}`;
const NEW = `S3cr3t-canary-new-${randomBytes(6).toString('hex')}`;
registerSecret(OLD);
registerSecret(NEW);
const ARN = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:pgsteward/${ROLE}-AbCdEf`;

const secretWith = (password: string) => ({
  SecretString: JSON.stringify({ engine: 'postgres', username: ROLE, password, host: '127.0.0.1', port: t.cluster.port, dbname: t.name }),
});
const getCalls = () => sm.commandCalls(GetSecretValueCommand).length;

/** A logger that keeps every line and field, to check what was said and that no value was. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (level: string) => (message: string, ...extra: Record<string, unknown>[]) => lines.push(`${level} ${message} ${JSON.stringify(extra)}`);
  return { lines, debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
}

beforeAll(async () => {
  await t.admin.query(`create role ${ROLE} login password '${OLD}'`);
  await t.admin.query(`grant connect on database ${t.name} to ${ROLE}`);
});

afterAll(async () => {
  sm.restore();
  await t.admin.query(`drop role if exists ${ROLE}`).catch(() => undefined);
});

beforeEach(async () => {
  forgetSecret();
  sm.reset();
  await t.admin.query(`alter role ${ROLE} password '${OLD}'`);
});

it('rotated under a fresh read: the old password is rejected, the secret is read again once, the retry connects', async () => {
  await t.admin.query(`alter role ${ROLE} password '${NEW}'`);
  sm.on(GetSecretValueCommand, { SecretId: ARN }).resolvesOnce(secretWith(OLD)).resolves(secretWith(NEW));
  const logger = recordingLogger();

  const db = await connectTarget({ secretArn: ARN }, session, logger);
  try {
    expect(db.server.user).toBe(ROLE);
  } finally {
    await db.close();
  }
  expect(getCalls()).toBe(2);
  expect(logger.lines.join('\n')).toMatch(/reading the secret again/);
  expect(logger.lines.join('\n')).toContain(ARN);
  expect(logger.lines.join('\n')).toContain('28P01');
  expect(logger.lines.join('\n')).not.toMatch(/S3cr3t-canary/);
});

it('a secret is read once per process, and again only when the server rejects it (rotation after the first read)', async () => {
  sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves(secretWith(OLD));
  for (let i = 0; i < 2; i++) await (await connectTarget({ secretArn: ARN }, session)).close();
  expect(getCalls()).toBe(1);

  // The rotation Lambda changes the password, then the secret; the cache still holds the old one.
  await t.admin.query(`alter role ${ROLE} password '${NEW}'`);
  sm.reset();
  sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves(secretWith(NEW));
  await (await connectTarget({ secretArn: ARN }, session)).close();
  expect(getCalls()).toBe(1);
  await (await connectTarget({ secretArn: ARN }, session)).close();
  expect(getCalls()).toBe(1);
});

it('targets sharing one secret at once share one read', async () => {
  sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves(secretWith(OLD));
  const dbs = await Promise.all([1, 2, 3].map(() => connectTarget({ secretArn: ARN }, session)));
  await Promise.all(dbs.map((d) => d.close()));
  expect(getCalls()).toBe(1);
});

const noPending = () => Object.assign(new Error("Secrets Manager can't find the specified secret value for staging label: AWSPENDING"), { name: 'ResourceNotFoundException' });

it('a secret still wrong after the re-read (and no rotation in progress) fails with AuthenticationError after exactly one retry, naming no value', async () => {
  sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves(secretWith(NEW));
  sm.on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSPENDING' }).rejects(noPending());
  const err = await connectTarget({ secretArn: ARN }, session).catch((e) => e);
  expect(err).toBeInstanceOf(AuthenticationError);
  expect(err.code).toBe('28P01');
  expect(err.message).toContain(`password authentication failed for user "${ROLE}"`);
  expect(err.message).not.toMatch(/S3cr3t-canary/);
  // The current version twice, then the pending one, which does not exist.
  expect(getCalls()).toBe(3);
});

it('a rotation caught half way (the database has the pending password, the secret\'s current version not yet) connects with AWSPENDING', async () => {
  await t.admin.query(`alter role ${ROLE} password '${NEW}'`);
  sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves(secretWith(OLD));
  sm.on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSPENDING' }).resolves(secretWith(NEW));
  const logger = recordingLogger();
  const db = await connectTarget({ secretArn: ARN }, session, logger);
  try {
    expect(db.server.user).toBe(ROLE);
  } finally {
    await db.close();
  }
  const stages = sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.VersionStage ?? 'AWSCURRENT');
  expect(stages).toEqual(['AWSCURRENT', 'AWSCURRENT', 'AWSPENDING']);
  expect(logger.lines.join('\n')).toMatch(/pending version: a rotation is in progress/);
  expect(logger.lines.join('\n')).not.toMatch(/S3cr3t-canary/);
});

it('a password given in the URL is not retried (nothing to re-read)', async () => {
  const url = `postgres://${ROLE}:${NEW}@127.0.0.1:${t.cluster.port}/${t.name}`;
  const err = await connectTarget({ url }, session).catch((e) => e);
  expect(err).toBeInstanceOf(AuthenticationError);
  expect(getCalls()).toBe(0);
});

it('an unreadable secret is a CredentialsError naming the ARN, and is not remembered', async () => {
  sm.on(GetSecretValueCommand, { SecretId: ARN }).rejectsOnce(Object.assign(new Error('User is not authorized to perform secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' }))
    .resolves(secretWith(OLD));
  const err = await connectTarget({ secretArn: ARN }, session).catch((e) => e);
  expect(err).toBeInstanceOf(CredentialsError);
  expect(err.message).toBe(`cannot read secret ${ARN}: AccessDeniedException: User is not authorized to perform secretsmanager:GetSecretValue`);
  await (await connectTarget({ secretArn: ARN }, session)).close();
  expect(getCalls()).toBe(2);
});

it('a health run with a just-rotated secret succeeds in the same run: connected, no connect error, two reads', async () => {
  await t.admin.query(`alter role ${ROLE} password '${NEW}'`);
  sm.on(GetSecretValueCommand, { SecretId: ARN }).resolvesOnce(secretWith(OLD)).resolves(secretWith(NEW));
  const logger = recordingLogger();
  const target = resolveTarget({}, { id: 'rotated', connection: { secretArn: ARN } });

  const { report } = await runHealth(target, { alerts: resolveAlerts({}), logger, only: ['connection'] });

  expect(report.errors).toEqual([]);
  expect(report.findings).toEqual([expect.objectContaining({ check: 'connection', severity: 'ok', message: expect.stringContaining(`as ${ROLE}`) })]);
  expect(report.server).toMatchObject({ host: '127.0.0.1', port: t.cluster.port, database: t.name });
  expect(getCalls()).toBe(2);
  expect(logger.lines.some((l) => l.startsWith('warn') && l.includes(ARN))).toBe(true);
  expect(JSON.stringify(report) + logger.lines.join('\n')).not.toMatch(/S3cr3t-canary/);
});

it('an IAM target never sends its token in clear: against a server without TLS it fails to connect, and sslmode prefer is refused before signing', async () => {
  const iam = { host: '127.0.0.1', port: t.cluster.port, database: t.name, user: ROLE, iam: { region: 'eu-west-1' } };
  const creds = { accessKeyId: 'AKIDPGSTEWARDTEST', secretAccessKey: 'S3cr3t-canary-iam-key' };
  // The test server has no TLS: verify-full (the IAM default, even on loopback) cannot fall back to plain.
  const err = await connectTarget(iam, session, undefined, { iamCredentials: creds }).catch((e) => e);
  expect(err).toBeInstanceOf(ConnectError);
  expect(err.message).toMatch(/does not support SSL/);
  expect(err.message).not.toMatch(/S3cr3t-canary|X-Amz-Signature/);
  const refused = await connectTarget({ ...iam, sslmode: 'prefer' as const }, session, undefined, { iamCredentials: creds }).catch((e) => e);
  expect(refused).toBeInstanceOf(CredentialsError);
});

it('a secret that is not RDS-shaped JSON is described without quoting it (JSON.parse would)', async () => {
  sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: `password=${NEW} user=${ROLE}` });
  const err = await connectTarget({ secretArn: ARN }, session).catch((e) => e);
  expect(err).toBeInstanceOf(CredentialsError);
  expect(err.message).toBe(`secret ${ARN} is not JSON (RDS shape: {username, password, host, port, dbname})`);
  sm.reset();
  forgetSecret();
  sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: JSON.stringify({ password: NEW, host: '127.0.0.1' }) });
  const lacking = await connectTarget({ secretArn: ARN }, session).catch((e) => e);
  expect(lacking.message).toBe(`secret ${ARN} lacks "username" (RDS shape: {username, password, host, port, dbname})`);
});
