/**
 * The fleet runs as synthesized for a 1-target and a 50-target config: one state machine per
 * advisor (Express for health and partitions, Standard for advise), a Map that invokes the
 * advisor once per target with `{targets: [id]}`, at most maxConcurrency at a time, retrying
 * only Lambda's own errors and recording every other failure as the target's outcome, then the
 * fleet summary; schedules start the state machines with explicit retries and a dead-letter queue.
 */
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { EXPRESS_MAX_SECONDS, LAMBDA_SERVICE_ERRORS } from '../../infra/constructs/fan-out';
import {
  ADVISORS, AdvisorName, advisorFunction, advisorSchedule, advisorStateMachine, definitionOf, Doc, stackFor, summaryFunction, synth,
} from './template';

/* eslint-disable @typescript-eslint/no-explicit-any */
const ids = (n: number) => Array.from({ length: n }, (_, i) => `db-${String(i + 1).padStart(2, '0')}`);
const fleet = (n: number, deploy: Doc = {}): Doc => ({
  // Every target keeps a partitioned table, so the partitions run covers all of them too.
  defaults: { partitions: [{ table: 'public.events', column: 'at', interval: '1 day' }] },
  targets: ids(n).map((id) => ({ id, connection: { url: `postgres://pgsteward@${id}.internal:5432/app?sslmode=verify-full` } })),
  deploy,
});
const machine = (t: Template, a: AdvisorName) => advisorStateMachine(t, a)[1];
const states = (t: Template, a: AdvisorName) => definitionOf(machine(t, a)).States;

const one = synth(fleet(1));
const fifty = synth(fleet(50));

describe.each([['1 target', one, 1], ['50 targets', fifty, 50]] as const)('%s', (_name, t, n) => {
  test('one state machine per advisor: Express for health and partitions, Standard for advise', () => {
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 3);
    expect(machine(t, 'health').Properties.StateMachineType).toBe('EXPRESS');
    expect(machine(t, 'partitions').Properties.StateMachineType).toBe('EXPRESS');
    expect(machine(t, 'advise').Properties.StateMachineType).toBe('STANDARD');
  });

  test.each(ADVISORS)('%s: every configured target id is an item of the Map, each run as {targets: [id]}', (a) => {
    const s = states(t, a);
    expect(s.Targets).toMatchObject({ Type: 'Pass', Result: { targets: ids(n) }, Next: 'EachTarget' });
    expect(s.EachTarget).toMatchObject({
      Type: 'Map', ItemsPath: '$.targets', ItemSelector: { 'target.$': '$$.Map.Item.Value' }, MaxConcurrency: 10, ResultPath: '$.results', Next: 'Summarise',
    });
    const run = s.EachTarget.ItemProcessor.States.Run;
    expect(run).toMatchObject({ Type: 'Task', Parameters: { 'targets.$': 'States.Array($.target)' }, ResultPath: '$.output' });
    // payloadResponseOnly: the Task's Resource is the function itself, not the lambda:invoke integration.
    const [fn] = advisorFunction(t, a);
    expect(JSON.stringify(machine(t, a).Properties.DefinitionString)).toContain(JSON.stringify({ 'Fn::GetAtt': [fn, 'Arn'] }));
    expect(JSON.stringify(machine(t, a).Properties.DefinitionString)).not.toContain('lambda:invoke');
  });

  test.each(ADVISORS)('%s: retries only Lambda service errors and throttling, with exponential backoff; catches everything else per target', (a) => {
    const run = states(t, a).EachTarget.ItemProcessor.States.Run;
    expect(run.Retry).toEqual([{ ErrorEquals: LAMBDA_SERVICE_ERRORS, IntervalSeconds: 2, MaxAttempts: 4, BackoffRate: 2, JitterStrategy: 'FULL' }]);
    expect(LAMBDA_SERVICE_ERRORS).toEqual(['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException']);
    // The failure lands next to the target id ({target, error: {Error, Cause}}) and the iteration ends normally.
    expect(run.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }]);
    expect(states(t, a).EachTarget.ItemProcessor.States.RecordFailure).toEqual({ Type: 'Pass', End: true });
    // Nothing else may fail the Map: no Catch or tolerance hides a failure at Map level either.
    expect(states(t, a).EachTarget.Catch).toBeUndefined();
  });

  test.each(ADVISORS)('%s: then hands the results to the fleet summary with the execution id and start time', (a) => {
    const summary = states(t, a).Summarise;
    expect(summary).toMatchObject({
      Type: 'Task', End: true,
      Parameters: { advisor: a, 'executionId.$': '$$.Execution.Id', 'startedAt.$': '$$.Execution.StartTime', 'results.$': '$.results' },
      Retry: [expect.objectContaining({ ErrorEquals: LAMBDA_SERVICE_ERRORS })],
    });
    expect(JSON.stringify(machine(t, a).Properties.DefinitionString)).toContain(JSON.stringify({ 'Fn::GetAtt': [summaryFunction(t)[0], 'Arn'] }));
  });

  test.each(ADVISORS)('%s: the schedule starts the state machine with explicit retries, a freshness bound and its own dead-letter queue', (a) => {
    const target = advisorSchedule(t, a).Properties.Target;
    expect(target.Arn).toEqual({ Ref: advisorStateMachine(t, a)[0] });
    expect(target.RetryPolicy.MaximumRetryAttempts).toBe(2);
    expect(target.RetryPolicy.MaximumEventAgeInSeconds).toBeGreaterThanOrEqual(60);
    const queue = target.DeadLetterConfig.Arn['Fn::GetAtt'][0];
    expect(t.toJSON().Resources[queue]).toMatchObject({ Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: true } });
  });

  test.each(ADVISORS)('%s: logs every event without payloads, and traces', (a) => {
    expect(machine(t, a).Properties).toMatchObject({
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
    });
  });
});

describe('sizing', () => {
  test('an Express run never exceeds Express\'s 5 minutes; a Standard run is bounded by its targets and retries', () => {
    for (const t of [one, fifty]) {
      for (const a of ['health', 'partitions'] as const) {
        expect(definitionOf(machine(t, a)).TimeoutSeconds).toBeLessThanOrEqual(EXPRESS_MAX_SECONDS);
      }
    }
    // advise: 600 s x (1 + 4 retries) + 30 s backoff per wave, plus the summary (60 s + 30 s backoff).
    expect(definitionOf(machine(one, 'advise')).TimeoutSeconds).toBe(1 * (600 * 5 + 30) + 90);
    expect(definitionOf(machine(fifty, 'advise')).TimeoutSeconds).toBe(5 * (600 * 5 + 30) + 90);
  });

  test('a Standard run never outlives its schedule period', () => {
    const t = synth(fleet(50, { schedules: { advise: { expression: 'rate(2 hours)' } } }));
    expect(definitionOf(machine(t, 'advise')).TimeoutSeconds).toBe(2 * 3600);
  });

  test('partitions (5-minute function) is waited for only as long as leaves room for the summary in an Express run', () => {
    const run = states(one, 'partitions').EachTarget.ItemProcessor.States.Run;
    expect(run.TimeoutSeconds).toBeLessThan(300);
    expect(run.TimeoutSeconds + 60 + 2 * 30).toBeLessThanOrEqual(EXPRESS_MAX_SECONDS);
    // health's own 60 s fits: Lambda's timeout applies, no extra Task timeout.
    expect(states(one, 'health').EachTarget.ItemProcessor.States.Run.TimeoutSeconds).toBeUndefined();
  });

  test('the partitions run covers only the targets with partition policies (their own or the defaults\')', () => {
    const doc = fleet(3);
    const targets = doc.targets as Doc[];
    targets[1].partitions = [];
    const t = synth({ targets, deploy: {} } as Doc);
    // No defaults: only a target's own policies count; none has any but the one we give.
    expect(definitionOf(advisorStateMachine(t, 'partitions')[1]).States.Targets.Result.targets).toEqual([]);
    const withDefaults = synth(doc);
    expect(definitionOf(advisorStateMachine(withDefaults, 'partitions')[1]).States.Targets.Result.targets).toEqual(['db-01', 'db-03']);
    expect(definitionOf(advisorStateMachine(withDefaults, 'health')[1]).States.Targets.Result.targets).toEqual(ids(3));
  });

  test('a target scheduled only for health (e.g. behind an RDS Proxy) is in no other run', () => {
    const doc = fleet(2);
    (doc.targets as Doc[])[0].advisors = ['health'];
    const t = synth(doc);
    expect(definitionOf(advisorStateMachine(t, 'health')[1]).States.Targets.Result.targets).toEqual(['db-01', 'db-02']);
    expect(definitionOf(advisorStateMachine(t, 'advise')[1]).States.Targets.Result.targets).toEqual(['db-02']);
    expect(definitionOf(advisorStateMachine(t, 'partitions')[1]).States.Targets.Result.targets).toEqual(['db-02']);
  });

  test('warns at synth when a fleet cannot finish in an Express run even without retries', () => {
    Annotations.fromStack(stackFor(fleet(100))).hasWarning('/Test/HealthRun', Match.stringLikeRegexp('health: 100 targets, 10 at a time'));
    // The default 30 s health timeout keeps 50 targets, 10 at a time, inside Express's 5 minutes.
    Annotations.fromStack(stackFor(fleet(50))).hasNoWarning('/Test/HealthRun', Match.anyValue());
    Annotations.fromStack(stackFor(fleet(100, { fanOut: { maxConcurrency: 40 } }))).hasNoWarning('/Test/HealthRun', Match.anyValue());
    Annotations.fromStack(stackFor(fleet(1))).hasNoWarning('*', Match.anyValue());
  });
});

describe('deploy.fanOut.maxConcurrency', () => {
  test('sets every Map\'s concurrency', () => {
    const t = synth(fleet(50, { fanOut: { maxConcurrency: 25 } }));
    for (const a of ADVISORS) expect(states(t, a).EachTarget.MaxConcurrency).toBe(25);
  });

  test.each([0, 41, 2.5])('refuses %s (inline Map runs at most 40 at once)', (maxConcurrency) => {
    expect(() => stackFor(fleet(1, { fanOut: { maxConcurrency } }))).toThrow(/deploy\.fanOut\.maxConcurrency/);
  });
});

describe('state machine role', () => {
  test.each(ADVISORS)('%s: may invoke its own advisor function and the summary, no other function', (a) => {
    const role = machine(one, a).Properties.RoleArn['Fn::GetAtt'][0];
    const granted = Object.values(one.findResources('AWS::IAM::Policy'))
      .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === role))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const invoke = granted.filter((s: any) => [].concat(s.Action).includes('lambda:InvokeFunction' as never));
    const text = JSON.stringify(invoke);
    expect(text).toContain(advisorFunction(one, a)[0]);
    expect(text).toContain(summaryFunction(one)[0]);
    for (const other of ADVISORS.filter((o) => o !== a)) expect(text).not.toContain(advisorFunction(one, other)[0]);
  });
});
