/**
 * Who watches the watcher: the alarms the stack creates, what they watch, where they send, and
 * that CloudWatch can actually publish to the encrypted alerts topic.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { missedRunWindow, schedulePeriodSeconds } from '../../infra/schedule-period';
import { ADVISORS, advisorFunction, advisorSchedule, advisorStateMachine, example, summaryFunction, synth, withDeploy } from './template';

/* eslint-disable @typescript-eslint/no-explicit-any */
const template = synth(example());
const alarms = (t: Template) => Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a: any) => a.Properties);
const topicId = (t: Template) => Object.keys(t.findResources('AWS::SNS::Topic'))[0];
/** Alarms whose dimension points at the resource with this logical id. */
const on = (t: Template, id: string) => alarms(t).filter((a) => JSON.stringify(a.Dimensions).includes(`"${id}"`));

test('every alarm sends to the alerts topic when it fires and when it clears', () => {
  const all = alarms(template);
  expect(all.length).toBeGreaterThan(0);
  for (const a of all) {
    expect(a.AlarmActions).toEqual([{ Ref: topicId(template) }]);
    expect(a.OKActions).toEqual([{ Ref: topicId(template) }]);
  }
});

test('every alarm says what to do in one line and points to its runbook section', () => {
  for (const a of alarms(template)) {
    expect(a.AlarmDescription).toMatch(/^[^\n]+ Runbook: docs\/runbook\.md#(function-errors|function-throttles|orchestration-failed|schedule-dead-letters|run-missed)$/);
  }
});

test('each function (the three advisors and the summary) has an Errors and a Throttles alarm', () => {
  const fns = [...ADVISORS.map((a) => advisorFunction(template, a)[0]), summaryFunction(template)[0]];
  for (const fn of fns) {
    expect(on(template, fn).map((a) => a.MetricName).sort()).toEqual(['Errors', 'Throttles']);
    for (const a of on(template, fn)) expect(a).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  }
});

test('each state machine alarms on failed and timed-out runs, the Standard one also on aborted runs, and on a missed run', () => {
  const metrics = (a: (typeof ADVISORS)[number]) => on(template, advisorStateMachine(template, a)[0]).map((x) => `${x.MetricName}:${x.ComparisonOperator}`).sort();
  const failures = ['ExecutionsFailed:GreaterThanOrEqualToThreshold', 'ExecutionsTimedOut:GreaterThanOrEqualToThreshold'];
  const missed = 'ExecutionsStarted:LessThanThreshold';
  expect(metrics('health')).toEqual([...failures, missed].sort());
  expect(metrics('partitions')).toEqual([...failures, missed].sort());
  expect(metrics('advise')).toEqual(['ExecutionsAborted:GreaterThanOrEqualToThreshold', ...failures, missed].sort());
});

test('each schedule\'s dead-letter queue alarms as soon as it holds a message', () => {
  for (const a of ADVISORS) {
    const queue = advisorSchedule(template, a).Properties.Target.DeadLetterConfig.Arn['Fn::GetAtt'][0];
    const found = alarms(template).filter((x) => JSON.stringify(x.Dimensions).includes(queue));
    expect(found).toEqual([expect.objectContaining({
      MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Statistic: 'Maximum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold',
    })]);
  }
});

describe('run missed', () => {
  const missedFor = (t: Template, a: (typeof ADVISORS)[number]) =>
    on(t, advisorStateMachine(t, a)[0]).filter((x) => x.MetricName === 'ExecutionsStarted');

  test.each([
    ['health', 'rate(5 minutes)', 600, 1],
    ['partitions', 'rate(1 hour)', 7200, 1],
    ['advise', 'cron(0 3 * * ? *)', 86400, 2],
  ] as const)('%s (%s): no start in two schedule periods, missing data counts as missed', (a, _expr, period, evaluations) => {
    expect(missedFor(template, a)).toEqual([expect.objectContaining({
      Period: period, EvaluationPeriods: evaluations, DatapointsToAlarm: evaluations, Threshold: 1, Statistic: 'Sum', TreatMissingData: 'breaching',
    })]);
  });

  test('follows the configured expression, and a disabled schedule has none', () => {
    const t = synth(withDeploy({ schedules: { health: { expression: 'rate(15 minutes)' }, advise: { enabled: false } } }));
    expect(missedFor(t, 'health')[0].Period).toBe(1800);
    expect(missedFor(t, 'advise')).toEqual([]);
  });
});

describe('schedule periods (CloudWatch: period x evaluations <= 7 days, <= 1 day under an hour)', () => {
  test.each([
    ['rate(1 minute)', 60], ['rate(5 minutes)', 300], ['rate(2 hours)', 7200], ['rate(1 day)', 86400],
    ['cron(0/5 * * * ? *)', 3600], ['cron(15 * * * ? *)', 3600], ['cron(0 3 * * ? *)', 86400], ['cron(0 8,20 * * ? *)', 86400],
    ['cron(30 1 ? * MON-FRI *)', 7 * 86400], ['cron(0 0 1 * ? *)', undefined], ['at(2030-01-01T00:00:00)', undefined],
  ])('%s repeats at least every %s s', (expression, seconds) => {
    expect(schedulePeriodSeconds(expression)).toBe(seconds);
  });

  test.each([
    ['rate(5 minutes)', { periodSeconds: 600, evaluationPeriods: 1 }],
    ['rate(12 hours)', { periodSeconds: 86400, evaluationPeriods: 1 }],
    ['rate(2 days)', { periodSeconds: 86400, evaluationPeriods: 4 }],
    ['cron(30 1 ? * MON-FRI *)', { periodSeconds: 86400, evaluationPeriods: 7 }],
    ['rate(8 days)', undefined],
  ])('%s is watched over %j', (expression, window) => {
    expect(missedRunWindow(expression)).toEqual(window);
    if (window) {
      const total = window.periodSeconds * window.evaluationPeriods;
      expect(window.periodSeconds).toBeLessThanOrEqual(86400);
      expect(total).toBeLessThanOrEqual(window.periodSeconds < 3600 ? 86400 : 7 * 86400);
      expect(window.periodSeconds % 60).toBe(0);
    }
  });
});

describe('alerts topic key', () => {
  test('rotates, and lets CloudWatch (not only IAM principals) make and read the topic\'s data keys', () => {
    const [, key] = Object.entries(template.findResources('AWS::KMS::Key'))[0] as [string, any];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({
      Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*',
    }));
  });

  test('the topic policy lets only this account\'s alarms publish, and still refuses publishing without TLS', () => {
    const statements = (Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0] as any).Properties.PolicyDocument.Statement;
    const cw = statements.find((s: any) => s.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(cw).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } });
    expect(JSON.stringify(cw.Condition.ArnLike['aws:SourceArn'])).toContain(':alarm:*');
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  test('every function that publishes may use the key through grantPublish', () => {
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
    for (const [fn] of [...ADVISORS.map((a) => advisorFunction(template, a)), summaryFunction(template)]) {
      const role = template.toJSON().Resources[fn].Properties.Role['Fn::GetAtt'][0];
      const stmts = policies.filter((p) => p.Properties.Roles.some((r: any) => r.Ref === role)).flatMap((p) => p.Properties.PolicyDocument.Statement);
      expect(stmts).toContainEqual(expect.objectContaining({ Action: 'sns:Publish' }));
      expect(stmts).toContainEqual(expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } }));
    }
  });
});
