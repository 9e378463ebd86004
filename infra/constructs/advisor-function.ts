/**
 * One advisor as a Lambda function, with every default fixed in one place: Node.js 24 on arm64,
 * a log group with retention, a role that starts empty, the config document bundled beside the
 * code, and `bind…()` helpers that grant access and set the matching environment variable in
 * one call, so a permission and the variable that needs it cannot drift apart (the pattern of
 * the Powertools example app's Function construct).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Annotations, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DatabaseUser, secretResourceArns, VpcIds } from '../deploy-settings';
import { AlertsTopic } from './alerts-topic';
import { ArchiveBucket } from './archive-bucket';
import { ReportsBucket } from './reports-bucket';

/** The runtime contract with functions/*.ts: what the handler reads from its environment. */
export const ADVISOR_ENV = {
  reportsBucket: 'PGSTEWARD_REPORTS_BUCKET',
  stateBucket: 'PGSTEWARD_STATE_BUCKET',
  topicArn: 'PGSTEWARD_TOPIC_ARN',
  /** Set on the partitions function only (bindArchive). */
  archiveBucket: 'PGSTEWARD_ARCHIVE_BUCKET',
} as const;

/**
 * The config travels in the bundle, not in an environment variable: Lambda caps all variables
 * together at 4 KB (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 * The handler reads it from beside its own script.
 */
export const BUNDLED_CONFIG_FILE = 'pgsteward.config.json';

const REPO_ROOT = resolve(__dirname, '..', '..');

export interface AdvisorFunctionProps {
  /** The handler's file name under functions/, without extension: `health` is functions/health.ts. */
  advisor: string;
  /** Default `pgsteward <advisor> advisor`. */
  description?: string;
  /** The validated config document, as written; copied into the bundle. */
  configDocument: unknown;
  memorySize: number;
  timeout: Duration;
  logRetentionDays: number;
  /** Existing network to run in (to reach private databases); imported from ids, never looked up. */
  vpc?: VpcIds;
  /**
   * Files the code reads from beside its own script at run time, which esbuild cannot inline
   * (e.g. a WASM module): absolute paths, copied next to index.js under the same name.
   */
  besideIndex?: string[];
}

export class AdvisorFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AdvisorFunctionProps) {
    super(scope, id);
    const description = props.description ?? `pgsteward ${props.advisor} advisor`;

    // An explicit log group instead of `logRetention`, which deploys a provider function on an
    // old runtime to set the retention after the fact.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
    });

    // Our own role instead of the default one with AWSLambdaBasicExecutionRole, which may create
    // log groups and write to any of them: this one writes to its own log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description,
    });
    this.logGroup.grantWrite(this.role);

    const network = props.vpc ? this.importNetwork(props.vpc) : undefined;
    if (network) {
      // Lambda creates and deletes the function's network interfaces with these permissions;
      // the EC2 actions involved do not support resource-level scoping
      // (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions).
      this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    }

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, 'functions', `${props.advisor}.ts`),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      ...network,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'pgsteward',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        // Stack traces point into functions/ and lib/ instead of the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        minify: true,
        // Error classes name themselves (`new.target.name`): Lambda reports that name as the
        // errorType, which the fleet summary reads (DeliveryError = already alerted).
        keepNames: true,
        sourceMap: true,
        // The map only needs line numbers; the sources themselves would double the asset.
        sourcesContent: false,
        target: 'node24',
        format: OutputFormat.CJS,
        // Replaces the default ['@aws-sdk/*'] on purpose: the SDK clients are pinned in
        // package.json and bundled, not taken from whatever the runtime ships. pg loads
        // pg-native inside try/catch and falls back to pure JS.
        externalModules: ['pg-native'],
        commandHooks: bundledFiles(props.configDocument, props.besideIndex ?? []),
      },
    });
  }

  /** Reports: read/write under the reports prefix, and PGSTEWARD_REPORTS_BUCKET. */
  bindReports(reports: ReportsBucket): this {
    reports.grantReports(this.fn);
    this.fn.addEnvironment(ADVISOR_ENV.reportsBucket, reports.bucketName);
    return this;
  }

  /**
   * RDS IAM authentication: rds-db:connect on exactly each configured database user
   * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html);
   * no statement at all when no target uses IAM.
   */
  bindDatabaseUsers(users: DatabaseUser[]): this {
    if (users.length === 0) return this;
    const stack = Stack.of(this);
    this.fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['rds-db:connect'],
      resources: users.map((u) => stack.formatArn({
        service: 'rds-db',
        resource: 'dbuser',
        resourceName: `${u.resourceId}/${u.user}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        ...(u.region ? { region: u.region } : {}),
      })),
    }));
    return this;
  }

  /** Alert state: read/write under the state prefix, and PGSTEWARD_STATE_BUCKET. */
  bindState(reports: ReportsBucket): this {
    reports.grantState(this.fn);
    this.fn.addEnvironment(ADVISOR_ENV.stateBucket, reports.bucketName);
    return this;
  }

  /** Partition archives: write and read back under `<prefix>archive/`, and PGSTEWARD_ARCHIVE_BUCKET. */
  bindArchive(archive: ArchiveBucket): this {
    archive.grantArchive(this.fn);
    this.fn.addEnvironment(ADVISOR_ENV.archiveBucket, archive.bucketName);
    return this;
  }

  /** Alerts: publish on the topic (and use its key), and PGSTEWARD_TOPIC_ARN. */
  bindAlerts(alerts: AlertsTopic): this {
    alerts.grantPublish(this.fn);
    this.fn.addEnvironment(ADVISOR_ENV.topicArn, alerts.topicArn);
    return this;
  }

  /**
   * secretsmanager:GetSecretValue on exactly the configured secrets (no statement at all when
   * there are none), and kms:Decrypt on their customer-managed keys when called through
   * Secrets Manager in the secrets' regions.
   */
  bindSecrets(secretArns: string[], keyArns: string[] = []): this {
    if (secretArns.length === 0) return this;
    this.fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: secretArns.flatMap(secretResourceArns),
    }));
    if (keyArns.length > 0) {
      const regions = [...new Set(secretArns.map((arn) => arn.split(':')[3]))];
      this.fn.addToRolePolicy(new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: keyArns,
        conditions: { StringEquals: { 'kms:ViaService': regions.map((r) => `secretsmanager.${r}.amazonaws.com`) } },
      }));
    }
    return this;
  }

  private importNetwork(ids: VpcIds): Pick<lambda.FunctionProps, 'vpc' | 'vpcSubnets' | 'securityGroups'> {
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: ids.vpcId,
      // Only used to pick subnets by type; ours are named by id. Without the list, the stack's
      // own AZs (Fn::GetAZs, no lookup) stand in.
      availabilityZones: ids.availabilityZones ?? Stack.of(this).availabilityZones,
    });
    return {
      vpc,
      vpcSubnets: {
        subnets: ids.subnetIds.map((s, i) => {
          const subnet = ec2.Subnet.fromSubnetId(this, `Subnet${i}`, s);
          // Placing a function reads no route table; the S3 gateway endpoint gets its own
          // (deploy.vpc.routeTableIds), so CDK's warning about the missing one is noise here.
          Annotations.of(subnet).acknowledgeWarning('@aws-cdk/aws-ec2:noSubnetRouteTableId', 'Lambda placement reads no route table; the S3 endpoint uses deploy.vpc.routeTableIds');
          return subnet;
        }),
      },
      // Immutable: the groups belong to whoever owns the network, so CDK must not add rules to them.
      securityGroups: ids.securityGroupIds.map((g, i) => ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup${i}`, g, { mutable: false })),
    };
  }
}

/**
 * Writes the document to a private temporary file and moves it next to index.js once esbuild has
 * run, then copies the `besideIndex` files there. CDK also builds these commands for a Docker
 * bundling it never runs (and while tests skip bundling), so the file is only written when
 * `outputDir` is a real local directory, which is the case for local bundling alone; the move
 * leaves nothing behind in the temp dir.
 */
function bundledFiles(document: unknown, besideIndex: string[]): ICommandHooks {
  for (const file of besideIndex) {
    // Fail at synth, naming the file, rather than at the first invocation in Lambda.
    if (!existsSync(file)) throw new Error(`cannot bundle ${file}: no such file (is the package installed?)`);
  }
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => {
      if (!existsSync(outputDir)) {
        return ['echo "pgsteward bundles with a local esbuild; the config file cannot reach a Docker build" >&2', 'exit 1'];
      }
      const target = shellQuote(join(outputDir, BUNDLED_CONFIG_FILE));
      const copies = besideIndex.map((file) => shellQuote(join(outputDir, basename(file))));
      // Lambda runs the code as a non-root user: bundled files must be world-readable.
      return [
        `mv ${shellQuote(writeTempConfig(document))} ${target}`,
        ...besideIndex.map((file, i) => `cp ${shellQuote(file)} ${copies[i]}`),
        `chmod 644 ${[target, ...copies].join(' ')}`,
      ];
    },
  };
}

function writeTempConfig(document: unknown): string {
  // A fresh name, created exclusively and readable by us only: the temp dir is shared.
  const file = join(tmpdir(), `pgsteward-config-${process.pid}-${randomBytes(6).toString('hex')}.json`);
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  return file;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
