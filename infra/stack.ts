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
    this.alerts = new AlertsTopic(this, 'Alerts');

    this.health = new AdvisorFunction(this, 'Health', {
      advisor: 'health',
      configDocument: settings.document,
      memorySize: settings.memorySize,
      timeout: Duration.seconds(settings.timeoutSeconds),
      logRetentionDays: settings.logRetentionDays,
      vpc: settings.vpc,
    })
      .bindReports(this.reports)
      .bindState(this.reports)
      .bindAlerts(this.alerts)
      .bindSecrets(settings.secretArns, settings.secretKeyArns);

    this.healthSchedule = new AdvisorSchedule(this, 'HealthSchedule', {
      fn: this.health.fn,
      ...settings.health,
      description: `pgsteward health checks (${settings.health.expression}, ${settings.health.timezone})`,
    });

    this.advise = new AdvisorFunction(this, 'Advise', {
      advisor: 'advise',
      configDocument: settings.document,
      memorySize: settings.adviseFunction.memorySize,
      timeout: Duration.seconds(settings.adviseFunction.timeoutSeconds),
      logRetentionDays: settings.logRetentionDays,
      vpc: settings.vpc,
      // libpg-query's Emscripten loader reads libpg-query.wasm from `__dirname`, which in the
      // bundle is the directory of index.js; esbuild inlines the JS but cannot carry the binary.
      // Copying that one file beats `bundling.nodeModules`, which runs npm install in the asset
      // (a registry or cache at synth, and a node_modules tree beside a bundle that inlines it).
      besideIndex: [LIBPG_QUERY_WASM],
    })
      .bindReports(this.reports)
      .bindState(this.reports)
      .bindAlerts(this.alerts)
      .bindSecrets(settings.secretArns, settings.secretKeyArns);

    this.adviseSchedule = new AdvisorSchedule(this, 'AdviseSchedule', {
      fn: this.advise.fn,
      ...settings.advise,
      description: `pgsteward index advice (${settings.advise.expression}, ${settings.advise.timezone})`,
      staleAfter: ADVISE_STALE_AFTER,
    });

    // Short DDL on empty tables: no WASM, no large snapshot, so neither advise's size nor its files.
    this.partitions = new AdvisorFunction(this, 'Partitions', {
      advisor: 'partitions',
      configDocument: settings.document,
      memorySize: settings.partitionsFunction.memorySize,
      timeout: Duration.seconds(settings.partitionsFunction.timeoutSeconds),
      logRetentionDays: settings.logRetentionDays,
      vpc: settings.vpc,
    })
      .bindReports(this.reports)
      .bindState(this.reports)
      .bindAlerts(this.alerts)
      .bindSecrets(settings.secretArns, settings.secretKeyArns);

    this.partitionsSchedule = new AdvisorSchedule(this, 'PartitionsSchedule', {
      fn: this.partitions.fn,
      ...settings.partitions,
      description: `pgsteward partition maintenance (${settings.partitions.expression}, ${settings.partitions.timezone})`,
      staleAfter: PARTITIONS_STALE_AFTER,
    });

    new CfnOutput(this, 'ReportsBucketName', { value: this.reports.bucketName, description: 'Reports and alert state' });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.alerts.topicArn, description: 'Subscribe here to receive alerts' });
    new CfnOutput(this, 'HealthFunctionName', { value: this.health.fn.functionName, description: 'Invoke for an on-demand health run' });
    new CfnOutput(this, 'AdviseFunctionName', { value: this.advise.fn.functionName, description: 'Invoke for an on-demand index advice run' });
    new CfnOutput(this, 'PartitionsFunctionName', { value: this.partitions.fn.functionName, description: 'Invoke for an on-demand (or dry) partitions run' });
  }

  /** Fields that mean something to the CLI but are replaced by what this stack creates. */
  private warnAboutOverriddenFields(): void {
    const { config } = this.settings;
    const overridden = [
      config.reports?.bucket !== undefined && 'reports.bucket',
      config.state?.bucket !== undefined && 'state.bucket',
      config.alerts?.topicArn !== undefined && 'alerts.topicArn',
    ].filter((f): f is string => typeof f === 'string');
    if (overridden.length) {
      Annotations.of(this).addWarningV2(
        'pgsteward:config-overridden',
        `${overridden.join(', ')}: the deployed functions use this stack's bucket and topic (set as environment variables) instead`,
      );
    }
  }
}
