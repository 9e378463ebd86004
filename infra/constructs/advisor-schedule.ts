/**
 * Runs an advisor function on an EventBridge Scheduler schedule, and decides what happens to a
 * run that does not happen. A run is only worth something while it is fresh (`staleAfter`: a
 * minute for a 5-minute health check, longer for a nightly advise run), and the next scheduled
 * run is the retry, so neither Scheduler nor Lambda keeps an old run alive beyond that.
 * What could not be delivered (Scheduler) or failed (Lambda's asynchronous invocation) lands in
 * one "missed runs" queue where an operator, or an alarm on its depth, can see it.
 */
import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ScheduleSettings } from '../deploy-settings';

export interface AdvisorScheduleProps extends ScheduleSettings {
  fn: lambda.IFunction;
  description: string;
  /** How old an undelivered or throttled run may get before it is dropped; default STALE_AFTER. */
  staleAfter?: Duration;
}

/**
 * How old a run may get before it is dropped, by default. 60 s is the smallest value both Scheduler's
 * MaximumEventAgeInSeconds and Lambda's asynchronous MaximumEventAgeInSeconds accept
 * (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html,
 * https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html).
 */
const STALE_AFTER = Duration.seconds(60);
/**
 * Scheduler retries only failures to hand the event to Lambda (throttling, service errors),
 * which clear within seconds; its default of 185 retries over 24 h would deliver runs long
 * after they stopped meaning anything.
 */
const DELIVERY_RETRIES = 2;
/** SQS's longest retention (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html). */
const MISSED_RUNS_RETENTION = Duration.days(14);

export class AdvisorSchedule extends Construct {
  readonly schedule: Schedule;
  readonly missedRuns: sqs.Queue;
  /** What Scheduler assumes to invoke the function and write to the missed-runs queue. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: AdvisorScheduleProps) {
    super(scope, id);
    const staleAfter = props.staleAfter ?? STALE_AFTER;

    this.missedRuns = new sqs.Queue(this, 'MissedRuns', {
      enforceSSL: true,
      // SQS-managed keys: Scheduler and Lambda can send without KMS grants.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: MISSED_RUNS_RETENTION,
    });

    // Scheduler invokes Lambda asynchronously, so an error thrown by the function follows these
    // settings, not the schedule's: no retry (the next scheduled run is the retry), and the
    // failure record goes to the missed-runs queue.
    props.fn.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: staleAfter,
      onFailure: new SqsDestination(this.missedRuns),
    });

    // Our own role rather than the stack-wide one LambdaInvoke would share between targets; only
    // schedules of this account may assume it (confused-deputy protection,
    // https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: props.description,
    });

    this.schedule = new Schedule(this, 'Schedule', {
      description: props.description,
      schedule: ScheduleExpression.expression(props.expression, TimeZone.of(props.timezone)),
      enabled: props.enabled,
      target: new LambdaInvoke(props.fn, {
        role: this.role,
        // Scheduler passes the input as-is; an empty object means "run with the bundled config".
        input: ScheduleTargetInput.fromObject({}),
        retryAttempts: DELIVERY_RETRIES,
        maxEventAge: staleAfter,
        deadLetterQueue: this.missedRuns,
      }),
    });
  }
}
