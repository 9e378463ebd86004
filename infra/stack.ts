/**
 * One pgsteward deployment: the reports bucket, the alerts topic, and each advisor as a
 * scheduled function bound to them. The config document is validated here, at synth, and
 * bundled into each function; the stack adds the names of what it creates as environment
 * variables, which take precedence over the same names in the document.
 */
import { dirname, join } from 'node:path';
import { Annotations, CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AdvisorFunction } from './constructs/advisor-function';
import { AdvisorSchedule } from './constructs/advisor-schedule';
import { AlertsTopic } from './constructs/alerts-topic';
import { ArchiveBucket } from './constructs/archive-bucket';
import { ReportsBucket } from './constructs/reports-bucket';
import { DeploySettings, deploySettings } from './deploy-settings';

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

    const health = this.scheduledAdvisor('Health', {
      advisor: 'health',
      memorySize: settings.memorySize,
      timeoutSeconds: settings.timeoutSeconds,
      schedule: settings.health,
      description: 'pgsteward health checks',
    });
    [this.health, this.healthSchedule] = [health.fn, health.schedule];

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
    });
    [this.advise, this.adviseSchedule] = [advise.fn, advise.schedule];

    // Short DDL on empty tables: no WASM, no large snapshot, so neither advise's size nor its files.
    const partitions = this.scheduledAdvisor('Partitions', {
      advisor: 'partitions',
      memorySize: settings.partitionsFunction.memorySize,
      timeoutSeconds: settings.partitionsFunction.timeoutSeconds,
      schedule: settings.partitions,
      description: 'pgsteward partition maintenance',
      staleAfter: PARTITIONS_STALE_AFTER,
    });
    // Only the partitions function archives (retentionMode "archive"); health and advise never see the bucket.
    partitions.fn.bindArchive(this.archive);
    [this.partitions, this.partitionsSchedule] = [partitions.fn, partitions.schedule];

    new CfnOutput(this, 'ReportsBucketName', { value: this.reports.bucketName, description: 'Reports and alert state' });
    new CfnOutput(this, 'ArchiveBucketName', { value: this.archive.bucketName, description: 'Partitions archived before they are dropped' });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.alerts.topicArn, description: 'Subscribe here to receive alerts' });
    new CfnOutput(this, 'HealthFunctionName', { value: this.health.fn.functionName, description: 'Invoke for an on-demand health run' });
    new CfnOutput(this, 'AdviseFunctionName', { value: this.advise.fn.functionName, description: 'Invoke for an on-demand index advice run' });
    new CfnOutput(this, 'PartitionsFunctionName', { value: this.partitions.fn.functionName, description: 'Invoke for an on-demand (or dry) partitions run' });
  }

  /** One advisor: its function bound to the bucket, topic and secrets, and its schedule. */
  private scheduledAdvisor(id: string, o: {
    advisor: 'health' | 'advise' | 'partitions';
    memorySize: number;
    timeoutSeconds: number;
    besideIndex?: string[];
    schedule: DeploySettings['health'];
    description: string;
    staleAfter?: Duration;
  }): { fn: AdvisorFunction; schedule: AdvisorSchedule } {
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
      .bindSecrets(s.secretArns, s.secretKeyArns);
    const schedule = new AdvisorSchedule(this, `${id}Schedule`, {
      fn: fn.fn,
      ...o.schedule,
      description: `${o.description} (${o.schedule.expression}, ${o.schedule.timezone})`,
      ...(o.staleAfter ? { staleAfter: o.staleAfter } : {}),
    });
    return { fn, schedule };
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
