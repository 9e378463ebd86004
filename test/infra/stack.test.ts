/**
 * What the stack creates and what it forbids, asserted on the synthesized template, with the
 * health function as the example of what every advisor function gets (advise-stack.test.ts has
 * the advise function's own settings). Bundling is skipped except in the one test about the
 * bundle itself.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ADVISOR_ENV, BUNDLED_CONFIG_FILE } from '../../infra/constructs/advisor-function';
import {
  actionsOf, ADVISORS, advisorFunction, advisorSchedule, advisorStateMachine, archiveBucketId, summaryFunction, Doc, example, functionRole, invokeConfig, reportsBucketId,
  resourcesOf, roleStatements, stackFor, statements, synth, target, VPC, withDeploy,
} from './template';

/* eslint-disable @typescript-eslint/no-explicit-any */
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pgsteward/orders-prod-AbCdEf';
const healthFn = (t: Template) => advisorFunction(t, 'health')[1];

let template: Template;
beforeAll(() => {
  template = synth(example());
});

describe('reports bucket', () => {
  test('every bucket (reports, access logs, archive) blocks all public access, is encrypted and is retained', () => {
    const buckets = Object.values(template.findResources('AWS::S3::Bucket'));
    expect(buckets).toHaveLength(3);
    for (const b of buckets as any[]) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      });
      expect(b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
      expect(b.DeletionPolicy).toBe('Retain');
    }
  });

  test('every bucket policy denies requests without TLS', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')) as any[];
    expect(policies).toHaveLength(3);
    for (const p of policies) {
      expect(p.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
        Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }));
    }
  });

  test('server access logs (reports and archive) go to the separate access-log bucket', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    const logged = Object.values(buckets).filter((b: any) => b.Properties.LoggingConfiguration) as any[];
    expect(logged).toHaveLength(2);
    const destination = logged[0].Properties.LoggingConfiguration.DestinationBucketName.Ref;
    expect(logged[1].Properties.LoggingConfiguration.DestinationBucketName.Ref).toBe(destination);
    expect(Object.keys(buckets)).toContain(destination);
    expect(buckets[destination].Properties.LoggingConfiguration).toBeUndefined();
  });

  test('only reports expire: the one expiring rule is scoped to the reports prefix, never the state prefix', () => {
    const rules = Object.values(template.findResources('AWS::S3::Bucket'))
      .flatMap((b: any) => (b.Properties.LoggingConfiguration ? b.Properties.LifecycleConfiguration?.Rules ?? [] : []));
    expect(rules).toEqual([expect.objectContaining({ Prefix: 'pgsteward/', ExpirationInDays: 90, Status: 'Enabled' })]);
    expect('pgsteward-state/'.startsWith(rules[0].Prefix)).toBe(false);
  });

  test('report expiry follows deploy.reportsExpireAfterDays', () => {
    synth(withDeploy({ reportsExpireAfterDays: 30 })).hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ Prefix: 'pgsteward/', ExpirationInDays: 30 })] },
    });
  });

  test('no provider function: no autoDeleteObjects, no logRetention, no custom resource at all', () => {
    const types = Object.values(template.toJSON().Resources).map((r: any) => r.Type as string);
    expect(types.filter((t) => t.startsWith('Custom::') || t === 'AWS::CloudFormation::CustomResource')).toEqual([]);
    // One function per advisor, the fleet summary, and nothing else.
    template.resourceCountIs('AWS::Lambda::Function', ADVISORS.length + 1);
  });
});

describe('alerts topic', () => {
  test('is encrypted with a rotating customer-managed key and refuses publishing without TLS', () => {
    const keyId = Object.keys(template.findResources('AWS::KMS::Key', { Properties: { EnableKeyRotation: true } }));
    expect(keyId).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId[0], 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});

describe('health function', () => {
  test('runs Node.js 24 on arm64 with the configured size and timeout', () => {
    expect(healthFn(template).Properties).toMatchObject({
      Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', MemorySize: 256, Timeout: 60,
    });
    expect(healthFn(synth(withDeploy({ memorySize: 1024, timeout: '2m' }))).Properties).toMatchObject({ MemorySize: 1024, Timeout: 120 });
  });

  test('no function in the template runs anything but nodejs24.x', () => {
    for (const t of [template, synth({ ...example(), deploy: { vpc: VPC } })]) {
      const runtimes = Object.values(t.findResources('AWS::Lambda::Function')).map((f: any) => f.Properties.Runtime);
      expect(runtimes.length).toBeGreaterThan(0);
      expect(runtimes.every((r) => r === 'nodejs24.x')).toBe(true);
    }
  });

  test('gets exactly the environment of the handler contract, and no config in it', () => {
    const fn = healthFn(template);
    const bucket = reportsBucketId(template);
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    expect(fn.Properties.Environment.Variables).toEqual({
      [ADVISOR_ENV.reportsBucket]: { Ref: bucket },
      [ADVISOR_ENV.stateBucket]: { Ref: bucket },
      [ADVISOR_ENV.topicArn]: { Ref: topic },
      POWERTOOLS_SERVICE_NAME: 'pgsteward',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(ADVISOR_ENV).toEqual({
      reportsBucket: 'PGSTEWARD_REPORTS_BUCKET', stateBucket: 'PGSTEWARD_STATE_BUCKET', topicArn: 'PGSTEWARD_TOPIC_ARN',
      archiveBucket: 'PGSTEWARD_ARCHIVE_BUCKET',
    });
  });

  test('each function and each state machine logs to its own log group with a retention, from deploy.logRetentionDays', () => {
    const groups = Object.keys(template.findResources('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 } }));
    const fns = [...ADVISORS.map((a) => advisorFunction(template, a)[1]), summaryFunction(template)[1]];
    const machines = ADVISORS.map((a) => advisorStateMachine(template, a)[1]);
    const used = [
      ...fns.map((f) => f.Properties.LoggingConfig.LogGroup.Ref),
      ...machines.map((m) => m.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0]),
    ];
    expect(new Set(used).size).toBe(used.length);
    expect([...used].sort()).toEqual([...groups].sort());
    const longer = synth(withDeploy({ logRetentionDays: 365 }));
    expect(Object.keys(longer.findResources('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 } }))).toHaveLength(used.length);
  });

  test('an asynchronous (on-demand) invoke is not retried and has no failure destination: the state machine retries, the Errors alarm reports', () => {
    const config = invokeConfig(template, 'health').Properties;
    expect(config).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
    expect(config.DestinationConfig).toBeUndefined();
  });

  test('no function runs in a VPC unless deploy.vpc is given', () => {
    for (const a of ADVISORS) expect(advisorFunction(template, a)[1].Properties.VpcConfig).toBeUndefined();
  });

  test('every function attaches to the configured subnets and security groups without creating or changing any', () => {
    const t = synth(withDeploy({ vpc: VPC }));
    for (const a of ADVISORS) {
      expect(advisorFunction(t, a)[1].Properties.VpcConfig).toEqual({ SubnetIds: VPC.subnetIds, SecurityGroupIds: VPC.securityGroupIds });
    }
    t.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    t.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
    t.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });
});

describe('schedule', () => {
  test('health runs every 5 minutes in UTC by default, with an empty input', () => {
    expect(advisorSchedule(template, 'health').Properties).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)', ScheduleExpressionTimezone: 'UTC', State: 'ENABLED', FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Input: '{}' },
    });
  });

  test('follows deploy.schedules.health', () => {
    const t = synth(withDeploy({ schedules: { health: { expression: 'cron(0 7 * * ? *)', timezone: 'Europe/Paris', enabled: false } } }));
    expect(advisorSchedule(t, 'health').Properties).toMatchObject({
      ScheduleExpression: 'cron(0 7 * * ? *)', ScheduleExpressionTimezone: 'Europe/Paris', State: 'DISABLED',
    });
  });

  test('health gives up on stale deliveries within a minute and dead-letters them to an encrypted, TLS-only queue of its own', () => {
    const queues = Object.keys(template.findResources('AWS::SQS::Queue', { Properties: { SqsManagedSseEnabled: true } }));
    expect(queues).toHaveLength(ADVISORS.length);
    expect(advisorSchedule(template, 'health').Properties.Target).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^HealthSchedule/), 'Arn'] } },
    });
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')) as any[];
    expect(policies).toHaveLength(ADVISORS.length);
    for (const p of policies) {
      expect(p.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    }
  });

  test('assumes a role only Scheduler in this account can use', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({
        Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      })] },
    });
  });
});

describe('permissions', () => {
  const getSecret = (t: Template) => statements(t).filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));

  test('each function\'s GetSecretValue covers exactly the configured secrets', () => {
    const configured = example().targets.map((t: Doc) => t.connection.secretArn);
    for (const a of ADVISORS) {
      const found = roleStatements(template, a).filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
      expect(found).toHaveLength(1);
      expect([...resourcesOf(found[0])].sort()).toEqual([...configured].sort());
    }
    expect(getSecret(template)).toHaveLength(ADVISORS.length);
  });

  test('no GetSecretValue at all when no target uses a secret', () => {
    const t = synth(target({ url: 'postgres://pgsteward@db.internal:5432/app?sslmode=verify-full' }));
    expect(getSecret(t)).toEqual([]);
    expect(statements(t).flatMap(actionsOf).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
  });

  test('a partial secret ARN gets the documented six-character suffix wildcard, not a star', () => {
    const t = synth(target({ secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pgsteward/db' }));
    expect(resourcesOf(getSecret(t)[0])).toEqual(['arn:aws:secretsmanager:eu-west-1:123456789012:secret:pgsteward/db-??????']);
  });

  test('customer-managed secret keys are usable only through Secrets Manager', () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const t = synth({ ...target({ secretArn: SECRET }), deploy: { secretKeyArns: [key] } });
    expect(statements(t)).toContainEqual(expect.objectContaining({
      Action: 'kms:Decrypt', Resource: key, Condition: { StringEquals: { 'kms:ViaService': ['secretsmanager.eu-west-1.amazonaws.com'] } },
    }));
  });

  test('no Allow statement on a data-plane action has Resource "*" (log delivery is control plane: wildcards.test.ts)', () => {
    for (const t of [template, synth(withDeploy({ vpc: VPC }))]) {
      const open = statements(t).filter((s) => s.Effect === 'Allow' && resourcesOf(s).includes('*')
        && actionsOf(s).some((a) => /^(s3|sns|sqs|secretsmanager|kms|lambda|states|rds-db):/.test(a) || /^logs:(PutLogEvents|CreateLogStream|GetLogEvents)$/.test(a)));
      expect(open).toEqual([]);
    }
  });

  test('each function\'s S3 object access to the reports bucket is limited to the reports and state prefixes', () => {
    // The partitions function's archive grant is asserted in partitions-stack.test.ts.
    const archive = archiveBucketId(template);
    for (const a of ADVISORS) {
      const objectStatements = roleStatements(template, a)
        .filter((s) => actionsOf(s).some((x) => x.startsWith('s3:') && x !== 's3:ListBucket'));
      expect(objectStatements.flatMap(actionsOf).sort()).toEqual(['s3:GetObject', 's3:PutObject']);
      // CDK merges same-action statements: the archive resource may share the reports' statement.
      const suffixes = objectStatements.flatMap(resourcesOf)
        .filter((r) => !JSON.stringify(r).includes(archive))
        .map((r: any) => r['Fn::Join'][1][1]);
      expect(suffixes.sort()).toEqual(['/pgsteward-state/*', '/pgsteward/*']);
    }
  });

  test('no function role has a managed policy, except VPC access when deploy.vpc is given', () => {
    const withVpc = synth(withDeploy({ vpc: VPC }));
    for (const a of ADVISORS) {
      expect(functionRole(template, a)[1].Properties.ManagedPolicyArns).toBeUndefined();
      expect(JSON.stringify(functionRole(withVpc, a)[1].Properties.ManagedPolicyArns)).toMatch(/^\[\{"Fn::Join".*service-role\/AWSLambdaVPCAccessExecutionRole"\]\]\}\]$/);
    }
  });
});

describe('config checks at synth (the rest: deploy-settings.test.ts)', () => {
  test('a connection password is refused, pointing at secretArn', () => {
    expect(() => stackFor(target({ host: 'db', database: 'app', user: 'u', password: 'hunter2' })))
      .toThrow(/targets\[0\]\.connection\.password:.*secretArn/);
  });

  test.each([
    'postgres://app:hunter2@db.internal/app',
    'postgresql://app:hunter2@db1.internal,db2.internal/app',
    'postgres://db.internal/app?user=app&password=hunter2',
  ])('a URL with a password is refused, pointing at secretArn: %s', (url) => {
    expect(() => stackFor(target({ url }))).toThrow(/targets\[0\]\.connection\.url:.*secretArn/);
  });
});

test('outputs the bucket name, the topic ARN and the function names', () => {
  for (const name of ['ReportsBucketName', 'ArchiveBucketName', 'AlertsTopicArn', 'HealthFunctionName', 'AdviseFunctionName', 'PartitionsFunctionName']) template.hasOutput(name, {});
});

test('warns that the stack\'s own bucket and topic replace those named in the config', () => {
  const stack = stackFor({ ...example(), alerts: { topicArn: 'arn:aws:sns:eu-west-1:123456789012:other' } });
  Annotations.fromStack(stack).hasWarning('/Test', Match.stringLikeRegexp('alerts\\.topicArn'));
  Annotations.fromStack(stackFor(example())).hasNoWarning('*', Match.anyValue());
});

test('every bundle carries the config document beside index.js', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'pgsteward-cdk-'));
  try {
    const t = Template.fromStack(stackFor(example(), true, outdir));
    for (const a of ADVISORS) {
      const fn = advisorFunction(t, a)[1];
      const asset = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
      expect(existsSync(join(asset, 'index.js'))).toBe(true);
      expect(JSON.parse(readFileSync(join(asset, BUNDLED_CONFIG_FILE), 'utf8'))).toEqual(example());
      // Lambda reads the code as a non-root user; 5 MB keeps cold starts and uploads small.
      expect(statSync(join(asset, BUNDLED_CONFIG_FILE)).mode & 0o444).toBe(0o444);
      // What Lambda loads; the source map is read only when a stack trace is printed.
      const bytes = readdirSync(asset).filter((f) => !f.endsWith('.map')).reduce((n, f) => n + statSync(join(asset, f)).size, 0);
      expect(bytes).toBeLessThan(5 * 1024 * 1024);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
