/**
 * The partitions function and its hourly schedule as synthesized: its own size and schedule, and
 * otherwise exactly the health function's contract and grants (stack.test.ts asserts those in
 * detail on the health function; here the partitions function is compared with it).
 */
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ADVISOR_ENV } from '../../infra/constructs/advisor-function';
import { deploySettings } from '../../infra/deploy-settings';
import {
  actionsOf, AdvisorName, advisorFunction, advisorStateMachine, archiveBucketId, advisorSchedule, example, functionRole, invokeConfig, resourcesOf, roleStatements,
  onlyOf, stackFor, Statement, synth, VPC, withDeploy,
} from './template';

/* eslint-disable @typescript-eslint/no-explicit-any */
const partitionsFn = (t: Template) => advisorFunction(t, 'partitions')[1];

let template: Template;
beforeAll(() => {
  template = synth(example());
});

describe('partitions settings', () => {
  test('default to 512 MB, 5 minutes, hourly in UTC', () => {
    expect(deploySettings(example())).toMatchObject({
      partitions: { expression: 'rate(1 hour)', timezone: 'UTC', enabled: true },
      partitionsFunction: { memorySize: 512, timeoutSeconds: 300 },
    });
  });

  test.each([
    [{ partitions: { timeout: '20m' } }, /deploy\.partitions\.timeout: a Lambda timeout/],
    [{ partitions: { memorySize: 64 } }, /deploy\.partitions\.memorySize/],
    [{ partitions: { cpu: 2 } }, /deploy\.partitions.*cpu/],
    [{ schedules: { partitions: { timezone: 'Mars/Olympus' } } }, /deploy\.schedules\.partitions\.timezone/],
    [{ schedules: { partitions: { expression: 'hourly' } } }, /deploy\.schedules\.partitions\.expression/],
  ])('refuses %j naming the field', (deploy, message) => {
    expect(() => deploySettings({ deploy })).toThrow(message);
  });
});

describe('partitions function', () => {
  test('runs Node.js 24 on arm64 with 512 MB and 5 minutes by default, whatever health\'s or advise\'s size', () => {
    expect(partitionsFn(template).Properties).toMatchObject({
      Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', MemorySize: 512, Timeout: 300,
    });
    const t = synth(withDeploy({ memorySize: 1024, timeout: '2m', advise: { memorySize: 2048, timeout: '14m' } }));
    expect(partitionsFn(t).Properties).toMatchObject({ MemorySize: 512, Timeout: 300 });
  });

  test('follows deploy.partitions, and only the partitions function does', () => {
    const t = synth(withDeploy({ partitions: { memorySize: 1024, timeout: '10m' } }));
    expect(partitionsFn(t).Properties).toMatchObject({ MemorySize: 1024, Timeout: 600 });
    expect(advisorFunction(t, 'health')[1].Properties).toMatchObject({ MemorySize: 256, Timeout: 60 });
    expect(advisorFunction(t, 'advise')[1].Properties).toMatchObject({ MemorySize: 1024, Timeout: 600 });
  });

  test('gets health\'s environment contract plus the archive bucket', () => {
    const vars = partitionsFn(template).Properties.Environment.Variables;
    expect(vars).toEqual({
      ...advisorFunction(template, 'health')[1].Properties.Environment.Variables,
      [ADVISOR_ENV.archiveBucket]: { Ref: archiveBucketId(template) },
    });
    expect(Object.keys(vars)).toEqual(expect.arrayContaining(Object.values(ADVISOR_ENV)));
  });

  test('attaches to the configured network like health', () => {
    expect(partitionsFn(synth(withDeploy({ vpc: VPC }))).Properties.VpcConfig).toEqual({ SubnetIds: VPC.subnetIds, SecurityGroupIds: VPC.securityGroupIds });
  });
});

describe('partitions schedule', () => {
  test('runs hourly in UTC by default, with an empty input', () => {
    expect(advisorSchedule(template, 'partitions').Properties).toMatchObject({
      ScheduleExpression: 'rate(1 hour)', ScheduleExpressionTimezone: 'UTC', State: 'ENABLED', FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Input: '{}' },
    });
  });

  test('follows deploy.schedules.partitions, independently of the others', () => {
    const t = synth(withDeploy({ schedules: { partitions: { expression: 'cron(5 * * * ? *)', timezone: 'Europe/Paris', enabled: false } } }));
    expect(advisorSchedule(t, 'partitions').Properties).toMatchObject({
      ScheduleExpression: 'cron(5 * * * ? *)', ScheduleExpressionTimezone: 'Europe/Paris', State: 'DISABLED',
    });
    expect(advisorSchedule(t, 'health').Properties).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED' });
    expect(advisorSchedule(t, 'advise').Properties).toMatchObject({ ScheduleExpression: 'cron(0 3 * * ? *)', State: 'ENABLED' });
  });

  test('retries delivery twice, keeps a run for 15 minutes, and dead-letters to its own missed-runs queue', () => {
    const target = advisorSchedule(template, 'partitions').Properties.Target;
    expect(target).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 900 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^PartitionsSchedule/), 'Arn'] } },
    });
    for (const other of ['health', 'advise'] as const) {
      expect(target.DeadLetterConfig).not.toEqual(advisorSchedule(template, other).Properties.Target.DeadLetterConfig);
    }
    // An asynchronous invoke is not retried by Lambda either; the state machine does the retrying.
    expect(invokeConfig(template, 'partitions').Properties).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 900 });
  });

  test('a late run plus its timeout ends before the next hourly run starts', () => {
    const age = advisorSchedule(template, 'partitions').Properties.Target.RetryPolicy.MaximumEventAgeInSeconds;
    expect(age + partitionsFn(template).Properties.Timeout).toBeLessThan(3600);
  });

  test('its Scheduler role may start the partitions state machine and write its queue, nothing else', () => {
    const props = advisorSchedule(template, 'partitions').Properties;
    const role = props.Target.RoleArn['Fn::GetAtt'][0];
    const [fn] = advisorStateMachine(template, 'partitions');
    const granted = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === role))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement as Statement[]);
    expect(granted.flatMap(actionsOf).sort()).toEqual(['sqs:SendMessage', 'states:StartExecution']);
    const invoke = granted.find((s) => actionsOf(s).includes('states:StartExecution'))!;
    expect(JSON.stringify(resourcesOf(invoke))).not.toMatch(/Health|Advise/);
    expect(JSON.stringify(resourcesOf(invoke))).toContain(fn);
    const send = granted.find((s) => actionsOf(s).includes('sqs:SendMessage'))!;
    expect(resourcesOf(send)).toEqual([props.Target.DeadLetterConfig.Arn]);
  });
});

describe('partitions permissions', () => {
  /** A role's statements with the advisor's OWN resource ids made comparable; another advisor's would still differ. */
  const normalized = (t: Template, advisor: AdvisorName) => {
    const prefix = advisor[0].toUpperCase() + advisor.slice(1);
    const archive = archiveBucketId(t);
    // CDK merges statements with the same actions, so the archive grant is removed resource by resource.
    const withoutArchive = roleStatements(t, advisor)
      .map((s) => ({ ...s, Resource: resourcesOf(s).filter((r) => !JSON.stringify(r).includes(archive)) }))
      .filter((s) => s.Resource.length > 0);
    return JSON.stringify(withoutArchive).replace(new RegExp(`\\b${prefix}([A-Za-z]+)[0-9A-F]{8}\\b`, 'g'), '<own $1>');
  };

  test.each([
    ['the example config', example()],
    ['a VPC and customer-managed secret keys', withDeploy({ vpc: VPC, secretKeyArns: ['arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'] })],
    ['no secrets', { targets: [{ id: 'db', connection: { url: 'postgres://pgsteward@db.internal/app' } }] }],
  ])('are exactly health\'s grants plus the archive, on its own log group (%s)', (_name, config) => {
    const t = synth(config);
    expect(normalized(t, 'partitions')).toEqual(normalized(t, 'health'));
    const logGroup = partitionsFn(t).Properties.LoggingConfig.LogGroup.Ref;
    const logs = roleStatements(t, 'partitions').filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
    expect(JSON.stringify(logs)).toContain(logGroup);
    expect(JSON.stringify(logs)).not.toMatch(/HealthLogs|AdviseLogs/);
  });

  test('its role trusts Lambda only and has no managed policy without a VPC', () => {
    const role = functionRole(template, 'partitions')[1].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({ Principal: { Service: 'lambda.amazonaws.com' } })]);
    expect(role.ManagedPolicyArns).toBeUndefined();
  });
});

describe('archive bucket', () => {
  const archiveBucket = (t: Template) => t.toJSON().Resources[archiveBucketId(t)];
  /** Each (effect, actions, resource) of a role whose resource names the archive bucket (CDK may merge statements). */
  const archiveStatements = (t: Template, advisor: AdvisorName) =>
    roleStatements(t, advisor).flatMap((s) => resourcesOf(s)
      .filter((r) => JSON.stringify(r).includes(archiveBucketId(t)))
      .map((r) => ({ Effect: s.Effect, Action: actionsOf(s), Resource: r, Condition: s.Condition })));

  test('is versioned, encrypted, private, retained, and logs access to the access-log bucket', () => {
    const b = archiveBucket(template);
    expect(b.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(b.DeletionPolicy).toBe('Retain');
    expect(b.UpdateReplacePolicy).toBe('Retain');
    const logs = b.Properties.LoggingConfiguration.DestinationBucketName.Ref;
    expect(logs).not.toBe(archiveBucketId(template));
    expect(template.toJSON().Resources[logs].Properties.LoggingConfiguration).toBeUndefined();
    expect(b.Properties.LoggingConfiguration.LogFilePrefix).toBe('archive-bucket/');
  });

  test('never expires anything: no lifecycle rule at all', () => {
    const b = archiveBucket(template);
    expect(b.Properties.LifecycleConfiguration).toBeUndefined();
    expect(JSON.stringify(b)).not.toMatch(/Expiration/);
  });

  test('its policy denies requests without TLS', () => {
    const [, policy] = onlyOf(template, 'AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: archiveBucketId(template) } } });
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
  });

  test.each([
    ['the default prefix', example(), '/archive/*'],
    ['archive.prefix', { ...example(), archive: { prefix: 'pgsteward-archive/' } }, '/pgsteward-archive/archive/*'],
  ])('the partitions role may only Get/Put objects under archive/ (%s)', (_name, config, suffix) => {
    const t = synth(config);
    const granted = archiveStatements(t, 'partitions');
    expect(granted).toHaveLength(1);
    expect(granted[0]).toEqual({
      Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Condition: undefined,
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [archiveBucketId(t), 'Arn'] }, suffix]] },
    });
  });

  test('health and advise have no access to it, nor its name', () => {
    for (const other of ['health', 'advise'] as const) {
      expect(archiveStatements(template, other)).toEqual([]);
      expect(JSON.stringify(advisorFunction(template, other)[1].Properties.Environment)).not.toContain(archiveBucketId(template));
      expect(Object.keys(advisorFunction(template, other)[1].Properties.Environment.Variables)).not.toContain(ADVISOR_ENV.archiveBucket);
    }
  });

  test('is an output, and the config\'s archive.bucket is overridden with a warning', () => {
    template.hasOutput('ArchiveBucketName', { Value: { Ref: archiveBucketId(template) } });
    const stack = stackFor({ ...example(), archive: { bucket: 'someone-elses-bucket' } });
    Annotations.fromStack(stack).hasWarning('/Test', Match.stringLikeRegexp('archive\\.bucket'));
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('someone-elses-bucket');
  });
});
