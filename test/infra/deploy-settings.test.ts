/**
 * The synth-time checks on the config document (infra/deploy-settings.ts): what a deployment
 * refuses before anything reaches AWS, and the defaults it fills in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deploySettings, secretResourceArns, urlHasPassword } from '../../infra/deploy-settings';
import { ConfigError } from '../../lib/errors';

const example = () => JSON.parse(readFileSync(join(__dirname, '..', '..', 'config', 'example.json'), 'utf8'));
const target = (connection: object) => ({ targets: [{ id: 'db', connection }] });

test('the example config deploys with its two secrets and the documented defaults', () => {
  const s = deploySettings(example());
  expect(s.secretArns).toHaveLength(2);
  expect(s).toMatchObject({
    reportsPrefix: 'pgsteward/', statePrefix: 'pgsteward-state/', reportsExpireAfterDays: 90, logRetentionDays: 30,
    memorySize: 256, timeoutSeconds: 60, health: { expression: 'rate(5 minutes)', timezone: 'UTC', enabled: true },
    advise: { expression: 'cron(0 3 * * ? *)', timezone: 'UTC', enabled: true },
    adviseFunction: { memorySize: 1024, timeoutSeconds: 600 },
  });
  expect(s.vpc).toBeUndefined();
});

test('fan-out: every target id in config order, ten at a time unless deploy.fanOut.maxConcurrency says otherwise', () => {
  expect(deploySettings(example())).toMatchObject({ targetIds: ['orders-prod', 'billing-prod'], maxConcurrency: 10 });
  expect(deploySettings({ ...example(), deploy: { fanOut: { maxConcurrency: 3 } } }).maxConcurrency).toBe(3);
});

test('IAM database users are collected once each, with their signing region when given', () => {
  const iam = (id: string, user: string, i: object) => ({ id, connection: { host: 'h', database: 'd', user, iam: i } });
  const s = deploySettings({ targets: [iam('a', 'u', { resourceId: 'db-A' }), iam('b', 'u', { resourceId: 'db-A' }), iam('c', 'v', { resourceId: 'prx-B', region: 'us-east-1' })] });
  expect(s.databaseUsers).toEqual([{ resourceId: 'db-A', user: 'u' }, { resourceId: 'prx-B', user: 'v', region: 'us-east-1' }]);
});

test('a function may connect only as the users of targets scheduled for its advisor', () => {
  const iam = (id: string, user: string, resourceId: string, advisors?: string[]) => ({ id, ...(advisors ? { advisors } : {}), connection: { host: 'h', database: 'd', user, iam: { resourceId } } });
  const s = deploySettings({ targets: [iam('direct', 'u', 'db-A'), iam('proxy', 'u', 'prx-B', ['health'])] });
  expect(s.databaseUsersFor.health).toEqual([{ resourceId: 'db-A', user: 'u' }, { resourceId: 'prx-B', user: 'u' }]);
  expect(s.databaseUsersFor.advise).toEqual([{ resourceId: 'db-A', user: 'u' }]);
  expect(s.databaseUsersFor.partitions).toEqual([{ resourceId: 'db-A', user: 'u' }]);
});

test('an empty document deploys: no targets, no secrets, all defaults', () => {
  expect(deploySettings({})).toMatchObject({ secretArns: [], secretKeyArns: [], health: { expression: 'rate(5 minutes)' } });
});

test('the same secret used by two targets is granted once', () => {
  const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf';
  const doc = { targets: [{ id: 'a', connection: { secretArn: arn } }, { id: 'b', connection: { secretArn: arn, host: 'replica' } }] };
  expect(deploySettings(doc).secretArns).toEqual([arn]);
});

test.each([
  [{ deploy: { memorySize: 64 } }, /deploy\.memorySize/],
  [{ deploy: { logRetentionDays: 31 } }, /deploy\.logRetentionDays/],
  [{ state: { prefix: 'pgsteward/state/' } }, /state\.prefix.*lies under reports\.prefix/],
  [{ state: { prefix: 'pgsteward' } }, /state\.prefix: "pgsteward\/" lies under reports\.prefix/],
  [{ reports: { prefix: '' } }, /reports\.prefix: must not be empty/],
  [{ reports: { endpoint: 'http://localhost:4568' } }, /reports\.endpoint/],
  [{ deploy: { schedules: { health: { timezone: 'Mars/Olympus' } } } }, /timezone: "Mars\/Olympus"/],
  [{ deploy: { timeout: '20m' } }, /deploy\.timeout/],
  [{ deploy: { timeout: '1500ms' } }, /deploy\.timeout/],
  [{ deploy: { advise: { timeout: '16m' } } }, /deploy\.advise\.timeout: a Lambda timeout/],
  [{ deploy: { advise: { memorySize: 64 } } }, /deploy\.advise\.memorySize/],
  [{ deploy: { advise: { memory: 2048 } } }, /deploy\.advise\.memory: unknown field/],
  [{ deploy: { schedules: { advise: { timezone: 'Mars/Olympus' } } } }, /deploy\.schedules\.advise\.timezone: "Mars\/Olympus"/],
  [{ deploy: { schedules: { advise: { expression: 'nightly' } } } }, /deploy\.schedules\.advise\.expression/],
  [target({ secretArn: 'pgsteward/db' }), /secretArn: expected a full Secrets Manager ARN/],
  [target({ host: 'db', database: 'app', user: 'u', password: '' }), /password:.*secretArn/],
  [target({ host: 'db', database: 'app', user: 'u', iam: {} }), /targets\[0\]\.connection\.iam\.resourceId: required to deploy/],
  [{ deploy: { vpc: { vpcId: 'vpc-0a', subnetIds: ['subnet-0a'], securityGroupIds: ['sg-0a'], endpoints: { s3: true } } } }, /deploy\.vpc\.routeTableIds: required/],
  [{ deploy: { fanOut: { maxConcurrency: 41 } } }, /deploy\.fanOut\.maxConcurrency/],
  [{ deploy: { fanOut: { concurrency: 5 } } }, /deploy\.fanOut\.concurrency: unknown field/],
])('refuses %j', (doc, message) => {
  expect(() => deploySettings(doc, 'f.json')).toThrow(ConfigError);
  expect(() => deploySettings(doc, 'f.json')).toThrow(message);
});

test('every problem is reported at once, each with its path', () => {
  const doc = { ...target({ url: 'postgres://u:pw@h/db' }), deploy: { timeout: '20m' } };
  expect(() => deploySettings(doc)).toThrow(expect.objectContaining({
    problems: [expect.stringMatching(/^targets\[0\]\.connection\.url:/), expect.stringMatching(/^deploy\.timeout:/)],
  }));
});

test.each([
  ['postgres://app:hunter2@db/app', true],
  ['postgres://app:hunter2@db1,db2/app', true],
  ['postgres://db/app?password=hunter2', true],
  ['host=db user=app password=hunter2', true],
  ['postgres://app@db:5432/app?sslmode=verify-full', false],
  ['postgres://db:5432/app', false],
  ['postgres://app:@db/app', false],
])('urlHasPassword(%s) is %s', (url, expected) => {
  expect(urlHasPassword(url)).toBe(expected);
});

test('secret resources: a complete ARN as is, a partial one with the six-character suffix', () => {
  const complete = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf';
  expect(secretResourceArns(complete)).toEqual([complete]);
  expect(secretResourceArns('arn:aws:secretsmanager:eu-west-1:123456789012:secret:db')).toEqual(['arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-??????']);
});
