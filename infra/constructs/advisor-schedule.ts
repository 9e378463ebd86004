/**
 * Starts an advisor's fleet run (its state machine, infra/constructs/fan-out.ts) on an
 * EventBridge Scheduler schedule, and decides what happens to a run that does not start. A run
 * is only worth something while it is fresh (`staleAfter`: a minute for a 5-minute health
 * check, longer for a nightly advise run), and the next scheduled run is the retry, so
 * Scheduler keeps an undelivered start alive no longer than that. What could not be started
 * lands in a "missed runs" queue, watched by an alarm on its depth (infra/constructs/watchers.ts).
 * Failures inside a run are the state machine's business (retries, per-target catch, alarms).
 */
import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ScheduleSettings } from '../deploy-settings';

export interface AdvisorScheduleProps extends ScheduleSettings {
  stateMachine: IStateMachine;
  description: string;
  /** How old an undelivered or throttled run may get before it is dropped; default STALE_AFTER. */
  staleAfter?: Duration;
}

/**
 * How old a run may get before it is dropped, by default. 60 s is the smallest value Scheduler's
 * MaximumEventAgeInSeconds accepts (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html).
 */
export const STALE_AFTER = Duration.seconds(60);
/**
 * Scheduler retries only failures to start the execution (throttling, service errors), which
 * clear within seconds; its default of 185 retries over 24 h would start runs long after they
 * stopped meaning anything.
 */
const DELIVERY_RETRIES = 2;
/** SQS's longest retention (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html). */
const MISSED_RUNS_RETENTION = Duration.days(14);

export class AdvisorSchedule extends Construct {
  readonly schedule: Schedule;
  readonly missedRuns: sqs.Queue;
  /** What Scheduler assumes to start the execution and write to the missed-runs queue. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: AdvisorScheduleProps) {
    super(scope, id);
    const staleAfter = props.staleAfter ?? STALE_AFTER;

    this.missedRuns = new sqs.Queue(this, 'MissedRuns', {
      enforceSSL: true,
      // SQS-managed keys: Scheduler can send without KMS grants.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: MISSED_RUNS_RETENTION,
    });

    // Our own role rather than the stack-wide one the target would share between schedules; only
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
      target: new StepFunctionsStartExecution(props.stateMachine, {
        role: this.role,
        // The state machine knows the fleet (its first state lists the target ids).
        input: ScheduleTargetInput.fromObject({}),
        retryAttempts: DELIVERY_RETRIES,
        maxEventAge: staleAfter,
        deadLetterQueue: this.missedRuns,
      }),
    });
  }
}
