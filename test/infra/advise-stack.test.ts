/**
 * The advise function and its nightly schedule as synthesized: its own size and schedule, and
 * otherwise exactly the health function's contract and grants (stack.test.ts asserts those in
 * detail on the health function; here the advise function is compared with it).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { ADVISOR_ENV } from '../../infra/constructs/advisor-function';
import {
  actionsOf, advisorFunction, advisorSchedule, advisorStateMachine, example, functionRole, invokeConfig, resourcesOf, roleStatements, Statement,
  synth, VPC, withDeploy,
} from './template';

/* eslint-disable @typescript-eslint/no-explicit-any */
const adviseFn = (t: Template) => advisorFunction(t, 'advise')[1];

let template: Template;
beforeAll(() => {
  template = synth(example());
});

describe('advise function', () => {
  test('runs Node.js 24 on arm64 with 1024 MB and 10 minutes by default, whatever health\'s size', () => {
    expect(adviseFn(template).Properties).toMatchObject({
      Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', MemorySize: 1024, Timeout: 600,
    });
    // deploy.memorySize/timeout size the health function only.
    expect(adviseFn(synth(withDeploy({ memorySize: 512, timeout: '2m' }))).Properties).toMatchObject({ MemorySize: 1024, Timeout: 600 });
  });

  test('follows deploy.advise', () => {
    const t = synth(withDeploy({ advise: { memorySize: 2048, timeout: '14m' } }));
    expect(adviseFn(t).Properties).toMatchObject({ MemorySize: 2048, Timeout: 840 });
    expect(advisorFunction(t, 'health')[1].Properties).toMatchObject({ MemorySize: 256, Timeout: 60 });
  });

  test('gets the same environment contract as health', () => {
    const vars = adviseFn(template).Properties.Environment.Variables;
    expect(vars).toEqual(advisorFunction(template, 'health')[1].Properties.Environment.Variables);
    const { archiveBucket, ...shared } = ADVISOR_ENV;
    expect(Object.keys(vars)).toEqual(expect.arrayContaining(Object.values(shared)));
    // The archive bucket is the partitions function's alone.
    expect(Object.keys(vars)).not.toContain(archiveBucket);
  });

  test('attaches to the configured network like health', () => {
    expect(adviseFn(synth(withDeploy({ vpc: VPC }))).Properties.VpcConfig).toEqual({ SubnetIds: VPC.subnetIds, SecurityGroupIds: VPC.securityGroupIds });
  });
});

describe('advise schedule', () => {
  test('runs nightly at 03:00 UTC by default, with an empty input', () => {
    expect(advisorSchedule(template, 'advise').Properties).toMatchObject({
      ScheduleExpression: 'cron(0 3 * * ? *)', ScheduleExpressionTimezone: 'UTC', State: 'ENABLED', FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Input: '{}' },
    });
  });

  test('follows deploy.schedules.advise, independently of health\'s', () => {
    const t = synth(withDeploy({ schedules: { advise: { expression: 'cron(30 1 ? * MON-FRI *)', timezone: 'Europe/Paris', enabled: false } } }));
    expect(advisorSchedule(t, 'advise').Properties).toMatchObject({
      ScheduleExpression: 'cron(30 1 ? * MON-FRI *)', ScheduleExpressionTimezone: 'Europe/Paris', State: 'DISABLED',
    });
    expect(advisorSchedule(t, 'health').Properties).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED' });
  });

  test('retries delivery twice, keeps a run for an hour, and dead-letters to its own missed-runs queue', () => {
    const target = advisorSchedule(template, 'advise').Properties.Target;
    expect(target).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^AdviseSchedule/), 'Arn'] } },
    });
    expect(target.DeadLetterConfig).not.toEqual(advisorSchedule(template, 'health').Properties.Target.DeadLetterConfig);
    // An asynchronous invoke is not retried by Lambda either; the state machine does the retrying.
    expect(invokeConfig(template, 'advise').Properties).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600 });
  });

  test('its Scheduler role may start the advise state machine and write its queue, nothing else', () => {
    const props = advisorSchedule(template, 'advise').Properties;
    const role = props.Target.RoleArn['Fn::GetAtt'][0];
    const [fn] = advisorStateMachine(template, 'advise');
    const granted = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === role))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement as Statement[]);
    expect(granted.flatMap(actionsOf).sort()).toEqual(['sqs:SendMessage', 'states:StartExecution']);
    const invoke = granted.find((s) => actionsOf(s).includes('states:StartExecution'))!;
    expect(JSON.stringify(resourcesOf(invoke))).not.toMatch(/Health/);
    expect(JSON.stringify(resourcesOf(invoke))).toContain(fn);
    const send = granted.find((s) => actionsOf(s).includes('sqs:SendMessage'))!;
    expect(resourcesOf(send)).toEqual([props.Target.DeadLetterConfig.Arn]);
  });
});

describe('advise permissions', () => {
  /**
   * A role's statements with the advisor's OWN resource ids (log group, missed-runs queue) made
   * comparable; a reference to the other advisor's resources would still differ.
   */
  const normalized = (t: Template, advisor: 'health' | 'advise') => {
    const own = new RegExp(`\\b${advisor === 'health' ? 'Health' : 'Advise'}([A-Za-z]+)[0-9A-F]{8}\\b`, 'g');
    return JSON.stringify(roleStatements(t, advisor)).replace(own, '<own $1>');
  };

  test.each([
    ['the example config', example()],
    ['a VPC and customer-managed secret keys', withDeploy({ vpc: VPC, secretKeyArns: ['arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'] })],
    ['no secrets', { targets: [{ id: 'db', connection: { url: 'postgres://pgsteward@db.internal/app' } }] }],
  ])('are exactly health\'s grants, on its own log group (%s)', (_name, config) => {
    const t = synth(config);
    expect(normalized(t, 'advise')).toEqual(normalized(t, 'health'));
    // The only log group it writes to is its own.
    const logGroup = adviseFn(t).Properties.LoggingConfig.LogGroup.Ref;
    const logs = roleStatements(t, 'advise').filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
    expect(JSON.stringify(logs)).toContain(logGroup);
    expect(JSON.stringify(logs)).not.toMatch(/HealthLogs/);
  });

  test('its role trusts Lambda only and has no managed policy without a VPC', () => {
    const role = functionRole(template, 'advise')[1].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({ Principal: { Service: 'lambda.amazonaws.com' } })]);
    expect(role.ManagedPolicyArns).toBeUndefined();
  });
});
