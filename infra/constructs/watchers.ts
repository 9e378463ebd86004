/**
 * Who watches the watcher: CloudWatch alarms on everything that can fail silently between a
 * schedule and a delivered alert, each sending to the alerts topic (and telling it when it is
 * over). Every description says what to do in one line and points to its runbook section.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { missedRunWindow } from '../schedule-period';

export const RUNBOOK = 'docs/runbook.md';
export type RunbookAnchor = 'function-errors' | 'function-throttles' | 'orchestration-failed' | 'schedule-dead-letters' | 'run-missed';

/**
 * Five minutes: Lambda and Step Functions publish these metrics every minute, and a failure of
 * the 5-minute health run shows up within one period
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html).
 */
const PERIOD = Duration.minutes(5);

export interface WatchedRun {
  name: string;
  stateMachine: sfn.StateMachine;
  type: sfn.StateMachineType;
  deadLetters: sqs.IQueue;
  /** The schedule expression that starts it, and whether it is enabled. */
  expression: string;
  enabled: boolean;
}

export interface WatchersProps {
  topic: sns.ITopic;
  functions: { name: string; fn: lambda.IFunction }[];
  runs: WatchedRun[];
}

export class Watchers extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: WatchersProps) {
    super(scope, id);
    this.action = new SnsAction(props.topic);

    for (const { name, fn } of props.functions) {
      this.atLeastOne(`${name}-function-errors`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), 'function-errors',
        `The ${name} function failed: read its log group for the error and the target, fix it, or invoke it again with {"targets":["<id>"]}.`);
      this.atLeastOne(`${name}-function-throttles`, fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }), 'function-throttles',
        `The ${name} function was throttled: lower deploy.fanOut.maxConcurrency or raise the account's Lambda concurrency.`);
    }

    for (const run of props.runs) {
      const sm = run.stateMachine;
      const what = `The ${run.name} fleet run`;
      const todo = 'open the execution in the Step Functions console, fix the cause, and start a new execution.';
      this.atLeastOne(`${run.name}-run-failed`, sm.metricFailed({ period: PERIOD, statistic: 'Sum' }), 'orchestration-failed', `${what} failed: ${todo}`);
      this.atLeastOne(`${run.name}-run-timed-out`, sm.metricTimedOut({ period: PERIOD, statistic: 'Sum' }), 'orchestration-failed', `${what} timed out: ${todo}`);
      // An Express execution is not stopped by hand in normal operation; a Standard one can be.
      if (run.type === sfn.StateMachineType.STANDARD) {
        this.atLeastOne(`${run.name}-run-aborted`, sm.metricAborted({ period: PERIOD, statistic: 'Sum' }), 'orchestration-failed', `${what} was aborted: ${todo}`);
      }

      this.alarm(`${run.name}-schedule-dead-letters`, run.deadLetters.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }), {
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }, 'schedule-dead-letters', `Scheduler could not start the ${run.name} run: read the message in its dead-letter queue for the error, fix the role or target, then purge the queue.`);

      // A disabled schedule starts nothing on purpose; an at() or unbounded cron has no period.
      const window = run.enabled ? missedRunWindow(run.expression) : undefined;
      if (window) {
        this.alarm(`${run.name}-run-missed`, sm.metricStarted({ period: Duration.seconds(window.periodSeconds), statistic: 'Sum' }), {
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: window.evaluationPeriods,
          datapointsToAlarm: window.evaluationPeriods,
          // No data point at all is exactly the case: no execution started.
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        }, 'run-missed', `No ${run.name} run started for two schedule periods (${run.expression}): check that the schedule is enabled and its dead-letter queue.`);
      }
    }
  }

  /** Sum ≥ 1 in one period; no data means nothing happened, which is fine. */
  private atLeastOne(name: string, metric: cloudwatch.Metric, anchor: RunbookAnchor, todo: string): void {
    this.alarm(name, metric, {
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }, anchor, todo);
  }

  private alarm(name: string, metric: cloudwatch.Metric, options: Omit<cloudwatch.CreateAlarmOptions, 'alarmName' | 'alarmDescription'>,
    anchor: RunbookAnchor, todo: string): void {
    const alarm = metric.createAlarm(this, name, {
      ...options,
      alarmName: `${Stack.of(this).stackName}-${name}`,
      alarmDescription: `${todo} Runbook: ${RUNBOOK}#${anchor}`,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
