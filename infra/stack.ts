/**
 * One pgsteward deployment: the reports bucket, the alerts topic, and each advisor as a
 * scheduled function bound to them. The config document is validated here, at synth, and
 * bundled into each function; the stack adds the names of what it creates as environment
 * variables, which take precedence over the same names in the document.
 */
import { Annotations, CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AdvisorFunction } from './constructs/advisor-function';
import { AdvisorSchedule } from './constructs/advisor-schedule';
import { AlertsTopic } from './constructs/alerts-topic';
import { ReportsBucket } from './constructs/reports-bucket';
import { DeploySettings, deploySettings } from './deploy-settings';

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

    new CfnOutput(this, 'ReportsBucketName', { value: this.reports.bucketName, description: 'Reports and alert state' });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.alerts.topicArn, description: 'Subscribe here to receive alerts' });
    new CfnOutput(this, 'HealthFunctionName', { value: this.health.fn.functionName, description: 'Invoke for an on-demand health run' });
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
