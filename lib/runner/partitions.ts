/**
 * One partitions run for one target: state → connect → each policy's table, one at a time
 * (lib/partitions/maintain.ts) → report → alerts → deliver. A table that fails twice in a row
 * is critical: the consecutive failures are counted in the state memory, per table.
 * A dry run reads the catalog only, and neither claims alerts nor writes state.
 */
import { randomBytes } from 'node:crypto';
import type { StateStore } from '../alert/state-store';
import type { AlertInput } from '../alert/lifecycle';
import type { AlertSettings, ResolvedTarget } from '../config/resolve';
import { errorMessage } from '../errors';
import { connectTarget } from '../pg/connect-target';
import { maintainTable, MaintainOptions, TableOutcome } from '../partitions/maintain';
import { parsePolicy } from '../partitions/policy';
import { refuseOnStandby, standbyMessage } from '../partitions/standby';
import type { PartitionFinding, PartitionsReport, RunError } from '../report/types';
import { deliver, DeliveryOptions } from './deliver';
import { claimTransitions, loadMemory } from './state-steps';
import { unclaim } from './unclaim';

export interface PartitionsRunOptions extends Omit<DeliveryOptions, 'now'> {
  alerts: AlertSettings;
  state?: StateStore;
  dryRun?: boolean;
  /** Tests: plan as of this instant, fewer/faster retries. */
  maintain?: Omit<MaintainOptions, 'dryRun'>;
  /** retentionMode "archive": where partitions go before they are dropped (lib/partitions/archive.ts, archiveDestinationFor). */
  archive?: MaintainOptions['archive'];
  /** The DDL session's statement_timeout (DDL on empty tables is quick; DROP TABLE too). */
  statementTimeoutMs?: number;
  now?: () => Date;
}

export interface PartitionsRunOutcome {
  report: PartitionsReport;
  /** A policy or table failed, or the target could not be reached. */
  failed: boolean;
  deliveryFailed: boolean;
}

const FAILURE_CHECKS = new Set(['lock_timeout', 'policy_error', 'maintenance_failed']);
const ALL_CHECKS = ['default_partition_rows', 'missing_future_partitions', 'lock_timeout', 'policy_error', 'gap', 'maintenance_failed', 'concurrent_run', 'archive_not_implemented', 'partitions_failed'];

export async function runPartitions(target: ResolvedTarget, opts: PartitionsRunOptions): Promise<PartitionsRunOutcome> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const t0 = Date.now();
  const errors: RunError[] = [];
  const state = opts.dryRun ? undefined : opts.state;
  const memory = await loadMemory(state, 'partitions', target.id, opts.logger, errors);
  const failures = { ...((memory.failures as Record<string, number> | undefined) ?? {}) };

  const outcomes: TableOutcome[] = [];
  let server: PartitionsReport['server'];
  let statements = 0;
  let connected = false;
  try {
    const db = await connectTarget(target.connection, { statementTimeoutMs: opts.statementTimeoutMs ?? 60_000, lockTimeoutMs: 2_000, connectTimeoutMs: target.connectTimeoutMs },
      opts.logger, { onResolved: (p) => (server = { host: p.host, port: p.port, database: p.database }) });
    connected = true;
    try {
      server = { host: db.params.host, port: db.params.port, database: db.server.database, version: db.server.version, inRecovery: db.server.inRecovery };
      // A standby is read-only: refuse before any DDL, saying to target the primary.
      const onStandby = db.server.inRecovery ? standbyMessage(db.params.host, db.params.port) : undefined;
      if (onStandby) {
        outcomes.push(...refuseOnStandby(target.partitions, onStandby));
        errors.push({ stage: 'check', message: onStandby });
      }
      for (const raw of onStandby ? [] : target.partitions) {
        let policy;
        try {
          policy = parsePolicy(raw);
        } catch (err) {
          const table = typeof raw.table === 'string' ? raw.table : '(no table)';
          outcomes.push({ table: { table, status: 'failed', partitionsBefore: 0, partitionsAfter: 0, error: errorMessage(err) }, actions: [], partitions: [],
            findings: [{ table, check: 'policy_error', severity: 'warning', message: errorMessage(err) }] });
          continue;
        }
        outcomes.push(await maintainTable(db, policy, { archive: opts.archive, ...opts.maintain, dryRun: opts.dryRun }));
      }
      statements = db.statements;
    } finally {
      await db.close();
    }
  } catch (err) {
    errors.push({ stage: 'connect', message: `partitions could not run: ${errorMessage(err)}` });
  }

  // Consecutive failures per table: a second failure in a row makes its failure findings critical.
  for (const o of outcomes) {
    const t = o.table;
    if (t.status === 'failed') {
      failures[t.table] = (failures[t.table] ?? 0) + 1;
      t.consecutiveFailures = failures[t.table];
      if (failures[t.table] >= 2) for (const f of o.findings) if (FAILURE_CHECKS.has(f.check)) f.severity = 'critical';
    } else if (t.status === 'ok') {
      delete failures[t.table];
    }
  }
  const findings: PartitionFinding[] = outcomes.flatMap((o) => o.findings);
  const alertInputs: AlertInput[] = connected
    ? mergeByKey(findings)
    : [{ check: 'partitions_failed', severity: 'warning', message: errors.map((e) => e.message).join('; ') }];
  const input = { target: target.id, advisor: 'partitions' as const, findings: alertInputs, evaluatedChecks: connected ? ALL_CHECKS : ['partitions_failed'], now: started, settings: opts.alerts };
  const { notifications, before } = opts.dryRun ? { notifications: [], before: {} } : await claimTransitions(state, input, { ...memory, failures }, errors);

  const actions = outcomes.flatMap((o) => o.actions);
  const tables = outcomes.map((o) => o.table);
  const report: PartitionsReport = {
    schemaVersion: 1,
    advisor: 'partitions',
    target: target.id,
    runId: randomBytes(4).toString('hex'),
    startedAt: started.toISOString(),
    durationMs: Date.now() - t0,
    server,
    dryRun: !!opts.dryRun,
    tables,
    actions,
    partitions: outcomes.flatMap((o) => o.partitions),
    findings,
    summary: {
      tables: tables.length,
      failed: tables.filter((t) => t.status === 'failed').length,
      skipped: tables.filter((t) => t.status === 'skipped').length,
      created: actions.filter((a) => a.action === 'attach' && a.status === 'done').length,
      retired: actions.filter((a) => a.action === 'detach' && a.status === 'done').length,
      findings: findings.length,
    },
    statements,
    notifications,
    errors,
  };
  const delivery = await deliver(report, { ...opts, now });
  if (delivery.unpublished.length && state) {
    await unclaim(state, { advisor: 'partitions', id: target.id, stateName: `partitions/${target.id}` }, delivery.unpublished, before).catch((err) =>
      opts.logger.error('cannot un-claim unpublished notifications; they will not be retried', { error: errorMessage(err) }));
  }
  return {
    report,
    failed: !connected || report.summary.failed > 0,
    deliveryFailed: errors.some((e) => e.stage === 'report' || e.stage === 'alert' || e.stage === 'state'),
  };
}

/** One alert per (check, table): several gaps of a table become one alert listing them, worst severity. */
function mergeByKey(findings: PartitionFinding[]): AlertInput[] {
  const rank = { ok: 0, unknown: 1, warning: 2, critical: 3 } as const;
  const byKey = new Map<string, AlertInput>();
  for (const f of findings) {
    const key = `${f.check}|${f.table}`;
    const prev = byKey.get(key);
    if (!prev) byKey.set(key, { check: f.check, object: f.table, severity: f.severity, message: f.message });
    else byKey.set(key, { ...prev, severity: rank[f.severity] > rank[prev.severity] ? f.severity : prev.severity, message: `${prev.message}; ${f.message}` });
  }
  return [...byKey.values()];
}
