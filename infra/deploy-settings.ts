/**
 * What the stack needs from the config document, checked at synth so a bad deployment fails on
 * the developer's machine and not at 3 a.m. in a Lambda: the document must validate
 * (parseConfig), must hold no password (a deployed config is copied into the function bundle,
 * where anyone who can read the code can read it), and its prefixes must keep alert state out
 * of the reports' lifecycle rule. Everything below the stack reads these settings, never the raw
 * document, so no construct guesses a default.
 */
import { ConfigError } from '../lib/errors';
import { DEPLOY_DEFAULTS, REPORT_DEFAULTS, STATE_DEFAULTS } from '../lib/config/defaults';
import { parseConfig } from '../lib/config/load';
import type { Config, ConnectionConfig } from '../lib/config/schema';
import { parseDurationMs } from '../lib/config/units';

export interface VpcIds {
  vpcId: string;
  subnetIds: string[];
  securityGroupIds: string[];
  availabilityZones?: string[];
  routeTableIds?: string[];
  endpoints?: VpcEndpointChoice;
}

/** Which VPC endpoints the stack creates (infra/constructs/endpoints.ts). */
export interface VpcEndpointChoice {
  s3?: boolean;
  sns?: boolean;
  secretsManager?: boolean;
  stepFunctions?: boolean;
}

/** A database user the functions sign IAM tokens for: rds-db:connect on exactly this user. */
export interface DatabaseUser {
  resourceId: string;
  user: string;
  /** The signing region, when not the stack's. */
  region?: string;
}

export interface ScheduleSettings {
  expression: string;
  timezone: string;
  enabled: boolean;
}

/** Size of one advisor function. */
export interface FunctionSize {
  memorySize: number;
  timeoutSeconds: number;
}

export interface DeploySettings {
  /** The document exactly as written: it is what the function parses again at run time. */
  document: unknown;
  config: Config;
  /** Secrets Manager ARNs of the targets, deduplicated, in config order. */
  secretArns: string[];
  secretKeyArns: string[];
  reportsPrefix: string;
  statePrefix: string;
  reportsExpireAfterDays: number;
  /** The config's `archive.prefix` ('' by default): archive keys start with `<archivePrefix>archive/`. */
  archivePrefix: string;
  logRetentionDays: number;
  memorySize: number;
  timeoutSeconds: number;
  vpc?: VpcIds;
  health: ScheduleSettings;
  advise: ScheduleSettings;
  /** The advise function has its own size (deploy.advise); memorySize/timeoutSeconds above are health's. */
  adviseFunction: FunctionSize;
  partitions: ScheduleSettings;
  /** The partitions function's own size (deploy.partitions). */
  partitionsFunction: FunctionSize;
  /** Target ids in config order: each run fans out to one invocation per id. */
  targetIds: string[];
  /**
   * The targets with partition policies (their own, or the defaults'): the partitions run fans
   * out over these only; an invocation for a target without policies would do nothing, hourly.
   */
  partitionTargetIds: string[];
  /** The targets whose `advisors` include health / advise (default: all). */
  healthTargetIds: string[];
  adviseTargetIds: string[];
  /** How many targets one run works on at once (deploy.fanOut.maxConcurrency). */
  maxConcurrency: number;
  /** IAM-authenticated database users, deduplicated. */
  databaseUsers: DatabaseUser[];
  /** The same, per advisor: only the users of targets scheduled for it (their `advisors`). */
  databaseUsersFor: Record<'health' | 'advise' | 'partitions', DatabaseUser[]>;
}

/**
 * Ten targets at a time: a fleet of 50 takes five waves, while ten concurrent advisor runs stay
 * far below Lambda's default 1,000 concurrent executions per Region
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html) and leave room for
 * on-demand runs.
 */
const DEFAULT_MAX_CONCURRENCY = 10;

/** Lambda's hard limit on a function timeout (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/**
 * Secrets Manager ARNs end in the secret name plus "-" and six random characters
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources).
 */
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const COMPLETE_SECRET_SUFFIX = /-[A-Za-z0-9]{6}$/;

export function deploySettings(document: unknown, source = 'config'): DeploySettings {
  const config = parseConfig(document, source);
  const problems = [...passwordProblems(config), ...secretArnProblems(config), ...iamAuthProblems(config)];
  const deploy = config.deploy ?? {};

  const reportsPrefix = config.reports?.prefix ?? REPORT_DEFAULTS.prefix;
  // The state store adds a missing trailing slash (lib/alert/state-store-s3.ts); reports use theirs as written.
  const rawStatePrefix = config.state?.prefix ?? STATE_DEFAULTS.prefix;
  const statePrefix = rawStatePrefix && !rawStatePrefix.endsWith('/') ? `${rawStatePrefix}/` : rawStatePrefix;
  // The lifecycle rule expires everything under the reports prefix: an empty prefix would expire
  // the whole bucket, and a state prefix inside it would forget which alerts are already open.
  if (reportsPrefix === '') problems.push('reports.prefix: must not be empty in a deployed config (reports expire by prefix)');
  if (statePrefix.startsWith(reportsPrefix)) {
    problems.push(`state.prefix: "${statePrefix}" lies under reports.prefix "${reportsPrefix}", whose objects expire; pick a separate prefix`);
  }
  if (config.reports?.endpoint) {
    problems.push('reports.endpoint: the deployed function writes to the S3 bucket this stack creates; an endpoint is for local tests only');
  }

  const timeoutSeconds = lambdaTimeout(deploy.timeout ?? DEPLOY_DEFAULTS.timeout, 'deploy.timeout', problems);
  const adviseTimeoutSeconds = lambdaTimeout(deploy.advise?.timeout ?? DEPLOY_DEFAULTS.adviseTimeout, 'deploy.advise.timeout', problems);
  const health = schedule('health', DEPLOY_DEFAULTS.healthSchedule, problems, deploy.schedules?.health);
  const advise = schedule('advise', DEPLOY_DEFAULTS.adviseSchedule, problems, deploy.schedules?.advise);
  const partitionsTimeoutSeconds = lambdaTimeout(deploy.partitions?.timeout ?? DEPLOY_DEFAULTS.partitionsTimeout, 'deploy.partitions.timeout', problems);
  const partitions = schedule('partitions', DEPLOY_DEFAULTS.partitionsSchedule, problems, deploy.schedules?.partitions);

  if (deploy.vpc?.endpoints?.s3 && !deploy.vpc.routeTableIds) {
    problems.push('deploy.vpc.routeTableIds: required when deploy.vpc.endpoints.s3 is true (the S3 gateway endpoint is a route in the route tables of the functions\' subnets)');
  }

  if (problems.length) throw new ConfigError(problems, source);

  const secretArns = [...new Set((config.targets ?? []).flatMap((t) => ('secretArn' in t.connection ? [t.connection.secretArn] : [])))];
  return {
    document,
    config,
    secretArns,
    secretKeyArns: deploy.secretKeyArns ?? [],
    reportsPrefix,
    statePrefix,
    reportsExpireAfterDays: deploy.reportsExpireAfterDays ?? DEPLOY_DEFAULTS.reportsExpireAfterDays,
    archivePrefix: config.archive?.prefix ?? '',
    logRetentionDays: deploy.logRetentionDays ?? DEPLOY_DEFAULTS.logRetentionDays,
    memorySize: deploy.memorySize ?? DEPLOY_DEFAULTS.memorySize,
    timeoutSeconds,
    vpc: deploy.vpc,
    health,
    advise,
    adviseFunction: { memorySize: deploy.advise?.memorySize ?? DEPLOY_DEFAULTS.adviseMemorySize, timeoutSeconds: adviseTimeoutSeconds },
    partitions,
    partitionsFunction: { memorySize: deploy.partitions?.memorySize ?? DEPLOY_DEFAULTS.partitionsMemorySize, timeoutSeconds: partitionsTimeoutSeconds },
    targetIds: (config.targets ?? []).map((t) => t.id),
    partitionTargetIds: scheduled(config, 'partitions').filter((t) => (t.partitions ?? config.defaults?.partitions ?? []).length > 0).map((t) => t.id),
    healthTargetIds: scheduled(config, 'health').map((t) => t.id),
    adviseTargetIds: scheduled(config, 'advise').map((t) => t.id),
    maxConcurrency: deploy.fanOut?.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    databaseUsers: databaseUsers(config.targets ?? []),
    databaseUsersFor: {
      health: databaseUsers(scheduled(config, 'health')),
      advise: databaseUsers(scheduled(config, 'advise')),
      partitions: databaseUsers(scheduled(config, 'partitions')),
    },
  };
}

/** The targets a scheduled run of `advisor` covers (their `advisors`, default all three). */
function scheduled(config: Config, advisor: 'health' | 'advise' | 'partitions'): NonNullable<Config['targets']> {
  return (config.targets ?? []).filter((t) => !t.advisors || t.advisors.includes(advisor));
}

function lambdaTimeout(text: string, field: string, problems: string[]): number {
  const seconds = parseDurationMs(text)! / 1000;
  if (seconds < 1 || seconds > LAMBDA_MAX_TIMEOUT_SECONDS || !Number.isInteger(seconds)) {
    problems.push(`${field}: a Lambda timeout is a whole number of seconds from 1 to ${LAMBDA_MAX_TIMEOUT_SECONDS}`);
  }
  return seconds;
}

type ScheduleConfig = NonNullable<NonNullable<NonNullable<Config['deploy']>['schedules']>['health']>;

function schedule(name: string, defaultExpression: string, problems: string[], given: ScheduleConfig = {}): ScheduleSettings {
  const timezone = given.timezone ?? DEPLOY_DEFAULTS.timezone;
  if (!isTimeZone(timezone)) problems.push(`deploy.schedules.${name}.timezone: "${timezone}" is not an IANA time zone (e.g. "Europe/Paris")`);
  return { expression: given.expression ?? defaultExpression, timezone, enabled: given.enabled ?? true };
}

/**
 * The IAM resources that match a configured secret: the ARN itself when it is complete, or the
 * partial ARN plus the six-character wildcard AWS documents for partial ARNs.
 */
export function secretResourceArns(secretArn: string): string[] {
  return COMPLETE_SECRET_SUFFIX.test(secretArn) ? [secretArn] : [`${secretArn}-??????`];
}

function passwordProblems(config: Config): string[] {
  const problems: string[] = [];
  (config.targets ?? []).forEach((t, i) => {
    const where = `targets[${i}].connection`;
    const conn: ConnectionConfig = t.connection;
    const fix = 'store the credentials in AWS Secrets Manager and use connection.secretArn';
    if ('password' in conn && conn.password !== undefined) {
      problems.push(`${where}.password: a deployed config must not hold a password (it ships inside the function bundle); ${fix}`);
    }
    if ('url' in conn && urlHasPassword(conn.url)) {
      problems.push(`${where}.url: the URL holds a password, and a deployed config ships inside the function bundle; ${fix}`);
    }
  });
  return problems;
}

function secretArnProblems(config: Config): string[] {
  const problems: string[] = [];
  (config.targets ?? []).forEach((t, i) => {
    if ('secretArn' in t.connection && !SECRET_ARN.test(t.connection.secretArn)) {
      // A bare secret name works with GetSecretValue but cannot be scoped in IAM without the account and region.
      problems.push(`targets[${i}].connection.secretArn: expected a full Secrets Manager ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf)`);
    }
  });
  return problems;
}

/** A target signing IAM tokens must name its resource id: rds-db:connect is granted on that user alone. */
function iamAuthProblems(config: Config): string[] {
  const problems: string[] = [];
  (config.targets ?? []).forEach((t, i) => {
    if ('iam' in t.connection && !t.connection.iam.resourceId) {
      problems.push(`targets[${i}].connection.iam.resourceId: required to deploy (the instance's DbiResourceId db-…, the cluster's cluster-… or the proxy's prx-…), `
        + 'so rds-db:connect can be granted on exactly this database user');
    }
  });
  return problems;
}

function databaseUsers(targets: NonNullable<Config['targets']>): DatabaseUser[] {
  const seen = new Map<string, DatabaseUser>();
  for (const t of targets) {
    const c = t.connection;
    if (!('iam' in c) || !c.iam.resourceId) continue;
    const u: DatabaseUser = { resourceId: c.iam.resourceId, user: c.user, ...(c.iam.region ? { region: c.iam.region } : {}) };
    seen.set(JSON.stringify(u), u);
  }
  return [...seen.values()];
}

/** `postgres://user:secret@host/db`, `…?password=secret`, or a libpq key/value string with `password=`. */
export function urlHasPassword(url: string): boolean {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '' || parsed.searchParams.has('password')) return true;
  } catch {
    // Multi-host URLs (host1,host2) and key/value strings are not WHATWG URLs: fall through.
  }
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#@]*:[^/?#@]+@/i.test(url) || /(^|[\s?&])password\s*=\s*\S/i.test(url);
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
