/**
 * Lambda: partition maintenance for every configured target (or those asked for), each isolated.
 * EventBridge Scheduler invokes it hourly with `{}`; an on-demand invoke may pass
 * `{targets?: string[], tables?: string[], dryRun?: boolean}`. `tables` names policies by their
 * `table` as the config wrote it (or the same name spelled another way, e.g. quoted); only
 * targets holding at least one of them run. A scheduled run skips targets without policies.
 * A dry run reads the catalogs only and returns the planned actions with their SQL.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { ConfigError, DeliveryError, errorMessage } from '../lib/errors';
import { formatIssues } from '../lib/config/format-issues';
import { ResolvedTarget, selectTargets } from '../lib/config/resolve';
import { IdentifierSyntaxError, parseQualifiedName } from '../lib/partitions/ident';
import { mapSettled } from '../lib/util/concurrency';
import { runPartitions } from '../lib/runner/partitions';
import { env } from './constants';
import { failLoudly } from './middleware/fail-loudly';
import { runtime } from './middleware/runtime';
import { archiveDestinationFor } from '../lib/partitions/archive';
import { makeS3Client } from '../lib/sinks/s3';

const logger = new Logger({ serviceName: 'pgsteward' });

/**
 * Targets maintained at once. Each holds one connection sending short DDL, one table at a time;
 * two keeps a catch-up across many targets inside the timeout without a burst of connections.
 */
const PARTITIONS_CONCURRENCY = 2;
const concurrency = process.env.PGSTEWARD_CONCURRENCY ? env.concurrency : PARTITIONS_CONCURRENCY;

const tableName = z.string().min(1).superRefine((s, ctx) => {
  try {
    parseQualifiedName(s);
  } catch (err) {
    if (!(err instanceof IdentifierSyntaxError)) throw err;
    ctx.addIssue({ code: 'custom', message: err.message });
  }
});

const payloadSchema = z.strictObject({
  targets: z.array(z.string().min(1)).optional(),
  tables: z.array(tableName).min(1).optional(),
  dryRun: z.boolean().optional(),
});

export interface PartitionsSummary {
  targets: number;
  dryRun: boolean;
  results: {
    target: string;
    tables?: number;
    failed?: number;
    skipped?: number;
    /** Partitions created (or, in a dry run, to create) and retired (to retire). */
    created?: number;
    retired?: number;
    notifications?: number;
    errors: string[];
    /** Dry runs: what would be done, with its exact SQL. */
    planned?: { table: string; action: string; partition: string; status: string; sql: string }[];
    /** s3:// URL of the JSON report, when it was written. */
    report?: string;
  }[];
  /** Targets left out: no policy configured, or none of the requested tables. */
  skipped: string[];
}

/** Same name however it was written: `Events`, `events`, `"events"`; `public.events` only matches `public.events`. */
function sameTable(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const x = parseQualifiedName(a);
    const y = parseQualifiedName(b);
    return x.name === y.name && x.schema === y.schema;
  } catch {
    return false;
  }
}

/** The targets to run, each with only the policies asked for; an unknown table or policy-less named target is an error. */
function withPolicies(targets: ResolvedTarget[], named: boolean, tables?: string[]): { run: ResolvedTarget[]; skipped: string[] } {
  const problems: string[] = [];
  const run: ResolvedTarget[] = [];
  const skipped: string[] = [];
  const matched = new Set<string>();
  for (const target of targets) {
    const policies = tables
      ? target.partitions.filter((p) => tables.some((t) => typeof p.table === 'string' && sameTable(t, p.table) && matched.add(t)))
      : target.partitions;
    if (policies.length) run.push({ ...target, partitions: policies });
    else if (named && !tables) problems.push(`targets: target "${target.id}" has no "partitions" policies`);
    else skipped.push(target.id);
  }
  for (const t of tables ?? []) {
    if (!matched.has(t)) problems.push(`tables: no "partitions" policy for table "${t}" in the ${named ? 'requested' : 'configured'} targets`);
  }
  if (problems.length) throw new ConfigError(problems, 'on-demand payload');
  return { run, skipped };
}

async function run(event: unknown): Promise<PartitionsSummary> {
  const parsed = payloadSchema.safeParse(event ?? {});
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues), 'on-demand payload');
  const { targets: ids, tables, dryRun = false } = parsed.data;
  const rt = runtime();
  // Archive mode writes to S3 only (a Lambda has no local directory worth keeping): the stack's
  // archive bucket (environment), which replaces the config's archive.bucket as reports do;
  // without either, archive policies are reported and nothing is dropped.
  const archiveConfig = env.archiveBucket ? { ...rt.config.archive, bucket: env.archiveBucket } : rt.config.archive;
  const archive = archiveDestinationFor(archiveConfig, undefined, () => makeS3Client({ region: rt.config.reports?.region, endpoint: env.s3Endpoint ?? rt.config.reports?.endpoint }));
  const { run: targets, skipped } = withPolicies(selectTargets(rt.config, ids, 'partitions'), !!ids?.length, tables);
  const settled = await mapSettled(targets, concurrency, (target) =>
    runPartitions(target, { alerts: rt.alerts, state: rt.state, sink: rt.sink, sns: rt.sns, dryRun, logger, archive }));
  const results: PartitionsSummary['results'] = settled.map((s, i) => {
    if (s.status === 'rejected') return { target: targets[i].id, errors: [errorMessage(s.reason)] };
    const { report } = s.value;
    const errors = [
      ...report.tables.filter((t) => t.status === 'failed').map((t) => `${t.table}: ${t.error ?? 'failed'}`),
      ...report.errors.map((e) => e.message),
    ];
    return {
      target: targets[i].id,
      tables: report.summary.tables,
      failed: report.summary.failed,
      skipped: report.summary.skipped,
      created: dryRun ? report.actions.filter((a) => a.action === 'attach' && a.status === 'planned').length : report.summary.created,
      retired: dryRun ? report.actions.filter((a) => a.action === 'detach' && a.status === 'planned').length : report.summary.retired,
      notifications: report.notifications.length,
      errors,
      ...(dryRun ? { planned: report.actions.map((a) => ({ table: a.table, action: a.action, partition: a.partition, status: a.status, sql: a.sql })) } : {}),
      report: report.location?.json,
    };
  });
  const summary: PartitionsSummary = { targets: targets.length, dryRun, results, skipped };
  logger.info('partitions run finished', { summary: { ...summary, results: results.map(({ planned: _planned, ...r }) => r) } });
  // Every target ran and delivered what it could (a failed table sent its own alert); now make
  // the failure visible to Lambda's metrics and the missed-runs queue.
  const failed = settled.filter((s) => s.status === 'rejected' || s.value.failed || s.value.deliveryFailed).length;
  if (failed) {
    throw new DeliveryError(`${failed} of ${targets.length} target(s) had a table that could not be maintained, or could not deliver their report or alerts: `
      + JSON.stringify(results.filter((r) => r.errors.length).map(({ planned: _planned, ...r }) => r)));
  }
  return summary;
}

export const handler = middy(run)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(failLoudly('partitions', logger));
