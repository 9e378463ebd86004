/**
 * One advisor run over the whole fleet: a state machine that invokes the advisor function once
 * per target (`{targets: [id]}`), at most `maxConcurrency` at a time, records each target's
 * outcome (`{target, output}` or `{target, error: {Error, Cause}}`) without letting one failure
 * stop the others, and hands the list to the fleet summary function.
 *
 * Why a state machine, and which kind (prices from https://aws.amazon.com/step-functions/pricing/
 * and https://aws.amazon.com/lambda/pricing/; a fleet of 200 targets, 30-day month):
 * - Standard bills $0.025 per 1,000 state transitions (4,000 free a month), at least one (the
 *   per-target Task) per target and run, one more per retry or recorded failure.
 *   health every 5 minutes: 8,640 runs x 200 = 1.73 M target-runs, i.e. >= 1.73 M transitions,
 *   >= $43/month, more with retries; partitions hourly: 720 x 200 = 144,000, ~$3.50/month;
 *   advise nightly: 30 x 200 = 6,000, ~$0.05/month after the free tier.
 * - Express bills $1.00 per million executions plus $0.00001667 per GB-second (64 MB minimum):
 *   health: 8,640 runs x ~4 s (200 targets / 10 at once x 0.18 s measured by bench:fleet, plus
 *   the summary) x 0.0625 GB = 2,160 GB-s = $0.04 + $0.01 of requests ($0.37 at a pessimistic
 *   40 s a run); partitions: 720 x ~4 s x 0.0625 GB = 180 GB-s, under a cent.
 *   But an Express execution lasts at most 5 minutes, and advise (up to 10 minutes per target,
 *   20 waves) does not fit: advise is Standard, health and partitions are Express. Express
 *   starts asynchronously at-least-once; both advisors tolerate a duplicate run (alert state
 *   dedupes notifications, partitions take advisory locks).
 * - Direct asynchronous invocation (one schedule or one dispatcher invoking per target) costs
 *   nothing extra, but bounds concurrency only through reserved concurrency (which would also
 *   throttle on-demand runs, and throttled events wait up to 6 hours), leaves no record of
 *   which targets of a run failed, and no point at which "the run is over" to summarise it.
 * The Lambda compute is the same in all three.
 */
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

export type AdvisorName = 'health' | 'advise' | 'partitions';

/**
 * Errors of the Lambda service itself, not of our code: the invocation never ran or its result
 * was lost, so trying again is safe. Step Functions recommends retrying them
 * (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html);
 * TooManyRequestsException is throttling (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
 */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException',
];
/** 2, 4, 8, 16 s (full jitter spreads them): throttling clears within seconds; 30 s in all. */
export const SERVICE_RETRY = { interval: Duration.seconds(2), maxAttempts: 4, backoffRate: 2 };
const BACKOFF_SECONDS = Array.from({ length: SERVICE_RETRY.maxAttempts }, (_, i) => 2 * 2 ** i).reduce((a, b) => a + b, 0);
/** An Express execution's hard limit (https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html). */
export const EXPRESS_MAX_SECONDS = 300;

export interface FanOutProps {
  advisor: AdvisorName;
  fn: lambda.IFunction;
  fnTimeout: Duration;
  summary: lambda.IFunction;
  summaryTimeout: Duration;
  targetIds: string[];
  maxConcurrency: number;
  type: sfn.StateMachineType;
  /** Seconds between scheduled runs, when known: a Standard run never outlives it. */
  periodSeconds?: number;
  logRetentionDays: number;
}

export class FanOut extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly type: sfn.StateMachineType;
  /** Derived bounds, in seconds: each target's invocation, and the whole run. */
  readonly itemTimeoutSeconds: number;
  readonly timeoutSeconds: number;

  constructor(scope: Construct, id: string, props: FanOutProps) {
    super(scope, id);
    this.type = props.type;
    const express = props.type === sfn.StateMachineType.EXPRESS;
    const fnSeconds = props.fnTimeout.toSeconds();
    const summarySeconds = props.summaryTimeout.toSeconds() + BACKOFF_SECONDS;

    // Sizing. A target's invocation takes at most the function timeout, plus the backoff of
    // throttling retries (a throttled invoke does not run, so it does not use the timeout again);
    // one attempt in four may still be a ServiceException after a full run, hence the
    // (1 + retries) factor in the whole-run bound. Waves of maxConcurrency targets follow one
    // another, then the summary.
    // In an Express run the summary must still fit after one slow wave: a longer function
    // (partitions' 5 minutes) is waited for only that long; the function itself runs on and
    // writes its own report, and the target is recorded with a States.Timeout error.
    const itemCap = express ? EXPRESS_MAX_SECONDS - summarySeconds - BACKOFF_SECONDS : Infinity;
    this.itemTimeoutSeconds = Math.min(fnSeconds, itemCap);
    const waves = Math.max(1, Math.ceil(props.targetIds.length / props.maxConcurrency));
    const bound = waves * (this.itemTimeoutSeconds * (1 + SERVICE_RETRY.maxAttempts) + BACKOFF_SECONDS) + summarySeconds;
    const cap = express ? EXPRESS_MAX_SECONDS : (props.periodSeconds ?? Infinity);
    this.timeoutSeconds = Math.min(bound, cap);
    // Even without a single retry, every target at its timeout would not fit: say so at synth.
    const nominal = waves * this.itemTimeoutSeconds + props.summaryTimeout.toSeconds();
    if (nominal > cap) {
      Annotations.of(this).addWarningV2('pgsteward:run-may-be-cut', `${props.advisor}: ${props.targetIds.length} targets, ${props.maxConcurrency} at a time, `
        + `${this.itemTimeoutSeconds} s each may take ${nominal} s, over the ${cap} s a run may last; raise deploy.fanOut.maxConcurrency or lower the function timeout`);
    }

    const run = new LambdaInvoke(this, 'Run', {
      lambdaFunction: props.fn,
      // Exactly what an on-demand invoke passes: this target only.
      payload: sfn.TaskInput.fromObject({ targets: sfn.JsonPath.array(sfn.JsonPath.stringAt('$.target')) }),
      payloadResponseOnly: true,
      resultPath: '$.output',
      // Our own retry below (CDK's default omits throttling and has no jitter).
      retryOnServiceExceptions: false,
      ...(this.itemTimeoutSeconds < fnSeconds ? { taskTimeout: sfn.Timeout.duration(Duration.seconds(this.itemTimeoutSeconds)) } : {}),
    });
    run.addRetry({ errors: LAMBDA_SERVICE_ERRORS, ...SERVICE_RETRY, jitterStrategy: sfn.JitterType.FULL });
    // Anything else (the function threw, e.g. DeliveryError; retries exhausted; timeout) is this
    // target's outcome, not the run's: recorded as {target, error: {Error, Cause}}.
    run.addCatch(new sfn.Pass(this, 'RecordFailure'), { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    const eachTarget = new sfn.Map(this, 'EachTarget', {
      itemsPath: '$.targets',
      itemSelector: { target: sfn.JsonPath.stringAt('$$.Map.Item.Value') },
      maxConcurrency: props.maxConcurrency,
      resultPath: '$.results',
    }).itemProcessor(run);

    const summarise = new LambdaInvoke(this, 'Summarise', {
      lambdaFunction: props.summary,
      payload: sfn.TaskInput.fromObject({
        advisor: props.advisor,
        executionId: sfn.JsonPath.stringAt('$$.Execution.Id'),
        startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
        results: sfn.JsonPath.listAt('$.results'),
      }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
    });
    summarise.addRetry({ errors: LAMBDA_SERVICE_ERRORS, ...SERVICE_RETRY, jitterStrategy: sfn.JitterType.FULL });

    // The ids live in the definition (1 MB), not in the schedule's input (8 KB), so a large fleet fits.
    const targets = new sfn.Pass(this, 'Targets', { result: sfn.Result.fromObject({ targets: props.targetIds }) });

    // Vended-logs prefix: Step Functions' log delivery shares one resource policy per account,
    // which this prefix keeps from growing (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html).
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-${props.advisor}`,
      retention: props.logRetentionDays as logs.RetentionDays,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: `pgsteward ${props.advisor}: one invocation per target, then the fleet summary`,
      stateMachineType: props.type,
      definitionBody: sfn.DefinitionBody.fromChainable(targets.next(eachTarget).next(summarise)),
      timeout: Duration.seconds(this.timeoutSeconds),
      // Every event, but never the payloads: outputs and errors can quote findings and queries.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
  }
}
