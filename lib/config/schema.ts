/**
 * The one config document for the CLI and the Lambdas: `{defaults?, targets?, alerts?, reports?, state?, deploy?}`.
 * Every object is strict, so a typo fails with the path of the field instead of being ignored.
 * Defaults live in ./defaults.ts; this file only says what is allowed.
 */
import { z } from 'zod';
import { CHECKS, CHECK_IDS, CheckId, Thresholds } from '../health/catalog';
import { parseDurationMs, parseSizeBytes } from './units';
import { partitionPolicySchema } from '../partitions/policy-schema';

const duration = z.string().refine((s) => parseDurationMs(s) !== undefined, {
  message: 'expected a duration such as "30s", "5m", "4h" or "7d"',
});

const severityName = z.enum(['warning', 'critical']);

/** A threshold number in the check's unit; seconds may be written "5m", bytes "10GB". */
function thresholdValue(unit: string) {
  const asNumber = z.number().nonnegative();
  if (unit === 'seconds') {
    return z.union([asNumber, duration.transform((s) => parseDurationMs(s)! / 1000)]);
  }
  if (unit === 'bytes') {
    return z.union([
      asNumber,
      z.string().refine((s) => parseSizeBytes(s) !== undefined, { message: 'expected a size such as "512MB" or "10GB"' })
        .transform((s) => parseSizeBytes(s)!),
    ]);
  }
  return asNumber;
}

function thresholdsSchema(id: CheckId) {
  const info = CHECKS[id];
  const shape: Record<string, z.ZodTypeAny> = { severity: severityName.optional() };
  if (info.unit !== 'yes/no') {
    shape.warning = thresholdValue(info.unit).optional();
    shape.critical = thresholdValue(info.unit).optional();
  }
  for (const [name, unit] of Object.entries(info.extras ?? {})) shape[name] = thresholdValue(unit).optional();
  return z.strictObject(shape);
}

// Built per check from the catalogue; typed by hand because zod cannot infer a computed shape.
const thresholds = z.strictObject(
  Object.fromEntries(CHECK_IDS.map((id) => [id, thresholdsSchema(id).optional()])),
) as unknown as z.ZodType<Partial<Record<CheckId, Thresholds>>, Partial<Record<CheckId, Record<string, number | string>>>>;

const checkId = z.enum(CHECK_IDS);

export const healthSchema = z.strictObject({
  thresholds: thresholds.optional(),
  disabled: z.array(checkId).optional(),
  /** Per check, object names or glob patterns (`*`, `?`) whose findings are dropped. */
  ignore: z.partialRecord(checkId, z.array(z.string().min(1))).optional(),
  redactLiterals: z.boolean().optional(),
  maxSessionsPerCheck: z.number().int().positive().optional(),
  statementTimeout: duration.optional(),
  lockTimeout: duration.optional(),
  /** A run with the same verdicts as the last report and nothing to alert writes no report until this long after it ("0s": every run). */
  unchangedReportEvery: duration.optional(),
});

const sslmode = z.enum(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']);

const connectionCommon = {
  sslmode: sslmode.optional(),
  connectTimeout: duration.optional(),
};

export const connectionSchema = z.union([
  z.strictObject({ url: z.string().min(1), ...connectionCommon }),
  z.strictObject({
    secretArn: z.string().min(1),
    /** Override what the secret says (e.g. connect through a proxy endpoint). */
    host: z.string().min(1).optional(),
    port: z.number().int().positive().optional(),
    database: z.string().min(1).optional(),
    ...connectionCommon,
  }),
  /**
   * RDS IAM authentication: a 15-minute token from @aws-sdk/rds-signer replaces the password
   * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html).
   * The database user needs `GRANT rds_iam` (sql/rds-iam.sql); TLS is required.
   */
  z.strictObject({
    host: z.string().min(1),
    port: z.number().int().positive().optional(),
    database: z.string().min(1),
    user: z.string().min(1),
    iam: z.strictObject({
      /** Signing region; defaults to the runtime's AWS_REGION. */
      region: z.string().min(1).optional(),
      /**
       * The instance's DbiResourceId (db-…), Aurora cluster's resource id (cluster-…) or the
       * proxy's (prx-…): the deployment grants `rds-db:connect` on exactly
       * arn:aws:rds-db:REGION:ACCOUNT:dbuser:RESOURCE_ID/USER. Required to deploy.
       */
      resourceId: z.string().regex(/^(db|cluster|prx)-[A-Za-z0-9]+$/, 'expected a resource id such as db-ABCDEFGHIJKL, cluster-… or prx-…').optional(),
    }),
    ...connectionCommon,
  }).refine((c) => !c.sslmode || !['disable', 'allow', 'prefer'].includes(c.sslmode), {
    // The token is a bearer credential (lib/pg/iam-token.ts checks again at connect time).
    message: 'an IAM token must not travel without TLS: use verify-full (the default), verify-ca or require',
    path: ['sslmode'],
  }),
  z.strictObject({
    host: z.string().min(1),
    port: z.number().int().positive().optional(),
    database: z.string().min(1),
    user: z.string().min(1),
    /** Prefer secretArn in deployed configs; a password here is for local use only. */
    password: z.string().optional(),
    ...connectionCommon,
  }),
]);

const size = z.string().refine((s) => parseSizeBytes(s) !== undefined, { message: 'expected a size such as "80MB" or "1GB"' });

export const adviseSchema = z.strictObject({
  /** Statements called fewer times in the interval are not worth an index. */
  minCalls: z.number().int().min(1).optional(),
  /** Statements faster on average than this (milliseconds) are skipped. */
  minMeanTimeMs: z.number().nonnegative().optional(),
  /** How many of the costliest statements are analysed. */
  top: z.number().int().min(1).max(5000).optional(),
  /** Below this interval since the previous run, cumulative counters are used. */
  minInterval: duration.optional(),
  /** Total size the recommended indexes may take (default: a tenth of the database). */
  storageBudget: size.optional(),
  maxIndexesPerTable: z.number().int().min(1).max(32).optional(),
  whatIf: z.enum(['hypopg', 'trial']).optional(),
  /** The trial engine builds real indexes (throwaway databases only): tables up to this size. */
  trialMaxTableSize: size.optional(),
  /** Unused indexes smaller than this are not reported. */
  unusedMinSize: size.optional(),
  /** A recommendation must cut some statement's planner cost by this fraction (0–1). */
  minImprovement: z.number().min(0).max(1).optional(),
  /** Re-notify an open recommendation after this long. */
  repeatInterval: duration.optional(),
  statementTimeout: duration.optional(),
  lockTimeout: duration.optional(),
});

/** Sections a target and `defaults` share. `partitions` is reserved for its advisor. */
const sections = {
  health: healthSchema.optional(),
  advise: adviseSchema.optional(),
  partitions: z.array(partitionPolicySchema).optional(),
};

export const targetSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'a target id is 1-63 letters, digits, ".", "_" or "-"'),
  connection: connectionSchema,
  /**
   * Which advisors run for this target on schedule (default all three): e.g. only "health"
   * through an RDS Proxy endpoint or on a replica, where advise and partitions need the primary's
   * own endpoint (docs/managed-services.md). Naming the target explicitly still runs it.
   */
  advisors: z.array(z.enum(['health', 'advise', 'partitions'])).min(1).optional(),
  ...sections,
});

const silenceSchema = z.strictObject({
  target: z.string().optional(),
  check: z.string().optional(),
  object: z.string().optional(),
  until: z.iso.datetime({ offset: true }),
  reason: z.string().min(1),
});

export const alertsSchema = z.strictObject({
  topicArn: z.string().regex(/^arn:aws[a-z-]*:sns:/, 'expected an SNS topic ARN').optional(),
  region: z.string().optional(),
  repeatInterval: duration.optional(),
  for: z.number().int().min(1).optional(),
  silences: z.array(silenceSchema).optional(),
  /** Your rendered copy of docs/runbook.md (e.g. on your Git host); alerts link `<url>#check-<id>`. */
  runbookUrl: z.url().optional(),
});

export const reportsSchema = z.strictObject({
  bucket: z.string().min(3).optional(),
  prefix: z.string().optional(),
  region: z.string().optional(),
  /** An S3-compatible endpoint (tests, MinIO); real S3 needs none. */
  endpoint: z.url().optional(),
});

export const stateSchema = z.strictObject({
  bucket: z.string().min(3).optional(),
  prefix: z.string().optional(),
});

const scheduleSchema = z.strictObject({
  /** `rate(5 minutes)` or `cron(0/5 * * * ? *)`, EventBridge Scheduler syntax. */
  expression: z.string().regex(/^(rate|cron|at)\(.+\)$/, 'expected rate(...), cron(...) or at(...)').optional(),
  timezone: z.string().optional(),
  enabled: z.boolean().optional(),
});

export const deploySchema = z.strictObject({
  vpc: z.strictObject({
    vpcId: z.string().regex(/^vpc-[0-9a-f]+$/),
    subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).min(1),
    securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]+$/)).min(1),
    availabilityZones: z.array(z.string()).optional(),
    /** Route tables of the functions' subnets: the S3 gateway endpoint is a route in each. */
    routeTableIds: z.array(z.string().regex(/^rtb-[0-9a-f]+$/)).min(1).optional(),
    /**
     * VPC endpoints to create so functions in isolated subnets need no NAT: S3 (gateway, needs
     * routeTableIds), SNS, Secrets Manager and Step Functions (interface, private DNS).
     */
    endpoints: z.strictObject({
      s3: z.boolean().optional(),
      sns: z.boolean().optional(),
      secretsManager: z.boolean().optional(),
      stepFunctions: z.boolean().optional(),
    }).optional(),
  }).optional(),
  /**
   * One run per advisor fans out to one invocation per target. Inline Map runs at most 40
   * iterations at once (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html).
   */
  fanOut: z.strictObject({ maxConcurrency: z.number().int().min(1).max(40).optional() }).optional(),
  schedules: z.strictObject({ health: scheduleSchema.optional(), advise: scheduleSchema.optional(), partitions: scheduleSchema.optional() }).optional(),
  memorySize: z.number().int().min(128).max(10240).optional(),
  timeout: duration.optional(),
  /** The advise function's own size: it plans hundreds of statements where health runs a few dozen queries. */
  advise: z.strictObject({
    memorySize: z.number().int().min(128).max(10240).optional(),
    timeout: duration.optional(),
  }).optional(),
  /** The partitions function's own size: short DDL on empty tables, lighter than advise. */
  partitions: z.strictObject({
    memorySize: z.number().int().min(128).max(10240).optional(),
    timeout: duration.optional(),
  }).optional(),
  /** Names the stack's resources; one deployment per environment. */
  stackName: z.string().optional(),
  /** Days before a report under the reports prefix expires (S3 lifecycle); alert state never expires. */
  reportsExpireAfterDays: z.number().int().min(1).optional(),
  /**
   * Retention of each function's log group, in one of the day counts CloudWatch Logs accepts
   * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).
   */
  logRetentionDays: z.literal([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]).optional(),
  /** Customer-managed KMS keys encrypting the targets' secrets (none needed for the aws/secretsmanager key). */
  secretKeyArns: z.array(z.string().regex(/^arn:aws[a-z-]*:kms:/, 'expected a KMS key ARN')).optional(),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  defaults: z.strictObject(sections).optional(),
  targets: z.array(targetSchema).optional(),
  alerts: alertsSchema.optional(),
  reports: reportsSchema.optional(),
  state: stateSchema.optional(),
  /** Partitions retired with retentionMode "archive" go here (S3) before they are dropped; without a bucket, the CLI's --out DIR. */
  archive: z.strictObject({ bucket: z.string().min(3).optional(), prefix: z.string().optional() }).optional(),
  deploy: deploySchema.optional(),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type TargetConfig = z.output<typeof targetSchema>;
export type ConnectionConfig = z.output<typeof connectionSchema>;
export type HealthConfig = z.output<typeof healthSchema>;
export type AdviseConfig = z.output<typeof adviseSchema>;
