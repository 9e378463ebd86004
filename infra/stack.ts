/**
 * One pgsteward deployment: the reports bucket, the alerts topic, and each advisor as a
 * function bound to them, run over the fleet by a state machine (one invocation per target,
 * then the fleet summary) that a schedule starts; alarms watch all of it. The config document
 * is validated here, at synth, and bundled into each function; the stack adds the names of what
 * it creates as environment variables, which take precedence over the same names in the document.
 */
import { dirname, join } from 'node:path';
import { Annotations, CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { AdvisorFunction } from './constructs/advisor-function';
import { AdvisorSchedule, STALE_AFTER } from './constructs/advisor-schedule';
import { AlertsTopic } from './constructs/alerts-topic';
import { ArchiveBucket } from './constructs/archive-bucket';
import { Endpoints } from './constructs/endpoints';
import { FanOut } from './constructs/fan-out';
import { ReportsBucket } from './constructs/reports-bucket';
import { Watchers } from './constructs/watchers';
import { DeploySettings, deploySettings } from './deploy-settings';
import { schedulePeriodSeconds } from './schedule-period';

/** Resolved at synth from the installed package (its `wasm/` directory holds the loader and the module). */
const LIBPG_QUERY_WASM = join(dirname(require.resolve('libpg-query/package.json')), 'wasm', 'libpg-query.wasm');

/**
 * A nightly advise run reads the day's cumulative pg_stat_statements, so an hour late it is
 * worth as much as on time, while dropping it means a day without advice. Lambda keeps retrying
 * a throttled asynchronous invocation until this age, so a minute (health's) would lose the run
 * to the first concurrency spike. Beyond an hour it drifts toward the working day, when its
 * EXPLAINs would compete with the application for the database.
 */
const ADVISE_STALE_AFTER = Duration.hours(1);

/**
 * An hourly partitions run keeps premake partitions ahead, so a run 15 minutes late still
 * creates every partition in time, and one dropped run costs nothing the next one does not
 * catch up. Lambda keeps retrying a throttled asynchronous invocation until this age: long
 * enough to ride out a concurrency spike (health's minute would not), short enough that a late
 * run plus its 5-minute timeout ends long before the next hour's run, which would otherwise
 * find the tables' advisory locks held and skip them with a concurrent_run warning.
 */
const PARTITIONS_STALE_AFTER = Duration.minutes(15);

/**
 * The fleet summary reads the per-target results it is handed, writes one report and publishes
 * at most a few alerts: no database, so health's memory and a minute are ample.
 */
const SUMMARY_TIMEOUT = Duration.seconds(60);

export interface PgstewardStackProps extends StackProps {
  /** The config document as read from its file (not yet validated). */
  config: unknown;
  /** Named in validation errors, e.g. the file path. */
  configSource?: string;
}

export class PgstewardStack extends Stack {
  readonly settings: DeploySettings;
  readonly reports: ReportsBucket;
  readonly archive: ArchiveBucket;
  readonly alerts: AlertsTopic;
  readonly health: AdvisorFunction;
  readonly healthSchedule: AdvisorSchedule;
  readonly advise: AdvisorFunction;
  readonly adviseSchedule: AdvisorSchedule;
  readonly partitions: AdvisorFunction;
  readonly partitionsSchedule: AdvisorSchedule;
  readonly summary: AdvisorFunction;
  readonly healthRun: FanOut;
  readonly adviseRun: FanOut;
  readonly partitionsRun: FanOut;
  readonly endpoints?: Endpoints;
  readonly watchers: Watchers;

  constructor(scope: Construct, id: string, props: PgstewardStackProps) {
    super(scope, id, props);
    const settings = deploySettings(props.config, props.configSource ?? 'config');
    this.settings = settings;
    this.warnAboutOverriddenFields();

    this.reports = new ReportsBucket(this, 'Reports', {
      reportsPrefix: settings.reportsPrefix,
      statePrefix: settings.statePrefix,
      reportsExpireAfterDays: settings.reportsExpireAfterDays,
    });
    this.archive = new ArchiveBucket(this, 'Archive', { prefix: settings.archivePrefix, accessLogs: this.reports.accessLogs });
    this.alerts = new AlertsTopic(this, 'Alerts');

    // Outside any VPC on purpose: it never connects to a database, only to S3 and SNS.
    this.summary = new AdvisorFunction(this, 'FleetSummary', {
      advisor: 'fleet-summary',
      description: 'pgsteward fleet summary',
      configDocument: settings.document,
      memorySize: settings.memorySize,
      timeout: SUMMARY_TIMEOUT,
      logRetentionDays: settings.logRetentionDays,
    })
      // It reads the targets' latest-report pointers (the missed-run watchdog) and keeps its own
      // alert state (fleet-level alerts are deduplicated like any other): both prefixes, read/write.
      .bindReports(this.reports)
      .bindState(this.reports)
      .bindAlerts(this.alerts);
    // Only the state machines call it, synchronously; an on-demand asynchronous call is not retried either.
    this.summary.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: STALE_AFTER });

    const health = this.scheduledAdvisor('Health', {
      advisor: 'health',
      memorySize: settings.memorySize,
      timeoutSeconds: settings.timeoutSeconds,
      schedule: settings.health,
      description: 'pgsteward health checks',
      // Every 5 minutes: see fan-out.ts for the cost arithmetic.
      type: StateMachineType.EXPRESS,
    });
    [this.health, this.healthRun, this.healthSchedule] = [health.fn, health.run, health.schedule];

    const advise = this.scheduledAdvisor('Advise', {
      advisor: 'advise',
      memorySize: settings.adviseFunction.memorySize,
      timeoutSeconds: settings.adviseFunction.timeoutSeconds,
      // libpg-query's Emscripten loader reads libpg-query.wasm from `__dirname`, which in the
      // bundle is the directory of index.js; esbuild inlines the JS but cannot carry the binary.
      // Copying that one file beats `bundling.nodeModules`, which runs npm install in the asset
      // (a registry or cache at synth, and a node_modules tree beside a bundle that inlines it).
      besideIndex: [LIBPG_QUERY_WASM],
      schedule: settings.advise,
      description: 'pgsteward index advice',
      staleAfter: ADVISE_STALE_AFTER,
      // Nightly and long: many targets of up to 10 minutes each exceed Express's 5 minutes.
      type: StateMachineType.STANDARD,
    });
    [this.advise, this.adviseRun, this.adviseSchedule] = [advise.fn, advise.run, advise.schedule];

    // Short DDL on empty tables: no WASM, no large snapshot, so neither advise's size nor its files.
    const partitions = this.scheduledAdvisor('Partitions', {
      advisor: 'partitions',
      memorySize: settings.partitionsFunction.memorySize,
      timeoutSeconds: settings.partitionsFunction.timeoutSeconds,
      schedule: settings.partitions,
      description: 'pgsteward partition maintenance',
      staleAfter: PARTITIONS_STALE_AFTER,
      type: StateMachineType.EXPRESS,
    });
    // Only the partitions function archives (retentionMode "archive"); health and advise never see the bucket.
    partitions.fn.bindArchive(this.archive);
    [this.partitions, this.partitionsRun, this.partitionsSchedule] = [partitions.fn, partitions.run, partitions.schedule];

    if (settings.vpc?.endpoints) this.endpoints = new Endpoints(this, 'Endpoints', settings.vpc);

    const advisors = [
      { name: 'health', fn: this.health, run: this.healthRun, schedule: this.healthSchedule, settings: settings.health },
      { name: 'advise', fn: this.advise, run: this.adviseRun, schedule: this.adviseSchedule, settings: settings.advise },
      { name: 'partitions', fn: this.partitions, run: this.partitionsRun, schedule: this.partitionsSchedule, settings: settings.partitions },
    ];
    this.watchers = new Watchers(this, 'Watchers', {
      topic: this.alerts.topic,
      functions: [...advisors.map((a) => ({ name: a.name, fn: a.fn.fn })), { name: 'fleet-summary', fn: this.summary.fn }],
      runs: advisors.map((a) => ({
        name: a.name, stateMachine: a.run.stateMachine, type: a.run.type, deadLetters: a.schedule.missedRuns,
        expression: a.settings.expression, enabled: a.settings.enabled,
      })),
    });

    new CfnOutput(this, 'ReportsBucketName', { value: this.reports.bucketName, description: 'Reports and alert state' });
    new CfnOutput(this, 'ArchiveBucketName', { value: this.archive.bucketName, description: 'Partitions archived before they are dropped' });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.alerts.topicArn, description: 'Subscribe here to receive alerts' });
    new CfnOutput(this, 'HealthFunctionName', { value: this.health.fn.functionName, description: 'Invoke for an on-demand health run' });
    new CfnOutput(this, 'AdviseFunctionName', { value: this.advise.fn.functionName, description: 'Invoke for an on-demand index advice run' });
    new CfnOutput(this, 'PartitionsFunctionName', { value: this.partitions.fn.functionName, description: 'Invoke for an on-demand (or dry) partitions run' });
    for (const a of advisors) {
      const name = a.name[0].toUpperCase() + a.name.slice(1);
      new CfnOutput(this, `${name}StateMachineArn`, { value: a.run.stateMachine.stateMachineArn, description: `Start an execution for an on-demand ${a.name} run over the fleet` });
    }
  }

  /** One advisor: its function bound to the bucket, topic, secrets and database users, its fleet run, and its schedule. */
  private scheduledAdvisor(id: string, o: {
    advisor: 'health' | 'advise' | 'partitions';
    memorySize: number;
    timeoutSeconds: number;
    besideIndex?: string[];
    schedule: DeploySettings['health'];
    description: string;
    staleAfter?: Duration;
    type: StateMachineType;
  }): { fn: AdvisorFunction; run: FanOut; schedule: AdvisorSchedule } {
    const s = this.settings;
    const fn = new AdvisorFunction(this, id, {
      advisor: o.advisor,
      configDocument: s.document,
      memorySize: o.memorySize,
      timeout: Duration.seconds(o.timeoutSeconds),
      logRetentionDays: s.logRetentionDays,
      vpc: s.vpc,
      ...(o.besideIndex ? { besideIndex: o.besideIndex } : {}),
    })
      .bindReports(this.reports)
      .bindState(this.reports)
      .bindAlerts(this.alerts)
      .bindSecrets(s.secretArns, s.secretKeyArns)
      .bindDatabaseUsers(s.databaseUsersFor[o.advisor]);
    const staleAfter = o.staleAfter ?? STALE_AFTER;
    // The state machine retries Lambda's own errors and records the function's; an asynchronous
    // invoke (on demand, by an operator) is not retried either, and has no failure destination:
    // the Errors alarm and the log say it failed, and the schedule's dead-letter queue stays
    // reserved for runs Scheduler could not start, so its alarm means one thing.
    fn.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: staleAfter });
    const run = new FanOut(this, `${id}Run`, {
      advisor: o.advisor,
      fn: fn.fn,
      fnTimeout: Duration.seconds(o.timeoutSeconds),
      summary: this.summary.fn,
      summaryTimeout: SUMMARY_TIMEOUT,
      targetIds: { health: s.healthTargetIds, advise: s.adviseTargetIds, partitions: s.partitionTargetIds }[o.advisor],
      maxConcurrency: s.maxConcurrency,
      type: o.type,
      periodSeconds: schedulePeriodSeconds(o.schedule.expression),
      logRetentionDays: s.logRetentionDays,
    });
    const schedule = new AdvisorSchedule(this, `${id}Schedule`, {
      stateMachine: run.stateMachine,
      ...o.schedule,
      description: `${o.description} (${o.schedule.expression}, ${o.schedule.timezone})`,
      staleAfter,
    });
    return { fn, run, schedule };
  }

  /** Fields that mean something to the CLI but are replaced by what this stack creates. */
  private warnAboutOverriddenFields(): void {
    const { config } = this.settings;
    const overridden = [
      config.reports?.bucket !== undefined && 'reports.bucket',
      config.state?.bucket !== undefined && 'state.bucket',
      config.alerts?.topicArn !== undefined && 'alerts.topicArn',
      config.archive?.bucket !== undefined && 'archive.bucket',
    ].filter((f): f is string => typeof f === 'string');
    if (overridden.length) {
      Annotations.of(this).addWarningV2(
        'pgsteward:config-overridden',
        `${overridden.join(', ')}: the deployed functions use this stack's buckets and topic (set as environment variables) instead`,
      );
    }
  }
}
