/**
 * One health run for one target, from connection to delivered alert:
 *   load state → connect → checks → alert lifecycle (claimed in state with a conditional
 *   write) → report → deliver (S3/dir, then SNS/stderr) → un-claim what could not be sent.
 * An unreachable database is not an exception here: it is a critical `connection` finding,
 * and the run still produces a report and an alert.
 */
import { randomBytes } from 'node:crypto';
import type { StateStore } from '../alert/state-store';
import type { AlertSettings, ResolvedTarget } from '../config/resolve';
import { errorMessage } from '../errors';
import type { Finding } from '../health/finding';
import { runChecks, summarize } from '../health/run';
import type { ConnectionParams } from '../pg/credentials';
import { connectTarget } from '../pg/connect-target';
import type { HealthReport, RunError } from '../report/types';
import { LAST_REPORT_KEY as LAST_REPORT, quietCandidate } from './health-quiet';
import { deliver, DeliveryOptions } from './deliver';
import { unclaim } from './unclaim';
import { claimTransitions, loadMemory } from './state-steps';
import { byUrgencyThenKey } from '../alert/lifecycle';
import { ServerClaims, ServerRole } from '../health/servers';
import { claimServerTransitions, instanceSection } from './health-server';

export interface HealthRunOptions extends Omit<DeliveryOptions, 'now'> {
  alerts: AlertSettings;
  state?: StateStore;
  /** Only these check ids (on-demand runs). */
  only?: string[];
  now?: () => Date;
  /**
   * Who covers each server's instance-level checks, built from the whole config and shared by
   * every target of one process (lib/health/servers.ts). Without it the target covers its server.
   */
  servers?: ServerClaims;
}

export interface HealthRunOutcome {
  report: HealthReport;
  /** A report write, state write or publish failed: the run must end non-zero. */
  deliveryFailed: boolean;
  /** Same verdicts as the last written report and nothing to send: no report was written (health-quiet.ts). */
  unchanged?: true;
}

export async function runHealth(target: ResolvedTarget, opts: HealthRunOptions): Promise<HealthRunOutcome> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const t0 = Date.now();
  const errors: RunError[] = [];
  const stateName = `health/${target.id}`;

  // 1. What the previous run remembered (interval counters); alerts are re-read when claimed.
  let memory = await loadMemory(opts.state, 'health', target.id, opts.logger, errors);

  // 2. Connect and check.
  let params: Pick<ConnectionParams, 'host' | 'port' | 'database'> | undefined;
  let findings: Finding[];
  let evaluatedChecks: string[];
  let statements = 0;
  let server: HealthReport['server'];
  let role: ServerRole | undefined;
  try {
    const db = await connectTarget(target.connection, {
      statementTimeoutMs: target.health.statementTimeoutMs,
      lockTimeoutMs: target.health.lockTimeoutMs,
      connectTimeoutMs: target.connectTimeoutMs,
    }, opts.logger, { onResolved: (p) => (params = p) });
    try {
      server = { host: db.params.host, port: db.params.port, database: db.server.database, version: db.server.version, inRecovery: db.server.inRecovery };
      role = (opts.servers ?? new ServerClaims([target])).roleOf(target, db.params.host, db.params.port);
      const out = await runChecks(db, target.health, { memory: memory as Record<string, Record<string, unknown>>, now: started, only: opts.only, instance: role.covers });
      findings = out.findings;
      evaluatedChecks = out.evaluatedChecks;
      memory = out.memory;
      statements = db.statements;
    } finally {
      await db.close();
    }
  } catch (err) {
    const message = `Cannot connect: ${errorMessage(err)}`;
    findings = [{ check: 'connection', severity: target.health.thresholds.connection?.severity ?? 'critical', message, detail: { error: errorMessage(err), code: (err as { code?: string }).code } }];
    evaluatedChecks = ['connection'];
    errors.push({ stage: 'connect', message });
    if (params) server = { host: params.host, port: params.port, database: params.database };
  }

  // 3. Alert lifecycle, claimed in the state store so overlapping runs never notify twice.
  // Server-wide findings are alerted under the server's host:port, in the server's own state.
  const quiet = quietCandidate({ last: memory[LAST_REPORT], findings, hadErrors: errors.length > 0, started, everyMs: target.health.unchangedReportEveryMs, hasState: !!opts.state && !!opts.sink });
  memory = { ...memory, [LAST_REPORT]: quiet.remember };
  const input = { target: target.id, advisor: 'health' as const, findings: findings.filter((f) => f.scope !== 'server'), evaluatedChecks, now: started, settings: opts.alerts };
  const claimed = await claimTransitions(opts.state, input, memory, errors);
  const before = claimed.before;
  const onServer = role ? await claimServerTransitions(opts.state, role, { findings, evaluatedChecks, now: started, alerts: opts.alerts }, errors) : undefined;
  const notifications = [...claimed.notifications, ...(onServer?.notifications ?? [])].sort(byUrgencyThenKey);

  // 4. Report and delivery.
  const report: HealthReport = {
    schemaVersion: 1,
    advisor: 'health',
    target: target.id,
    runId: randomBytes(4).toString('hex'),
    startedAt: started.toISOString(),
    durationMs: Date.now() - t0,
    server,
    findings,
    summary: summarize(findings),
    statements,
    ...(role ? { instanceChecks: instanceSection(role, target.id) } : {}),
    notifications,
    errors,
  };
  // Nothing new to say and nothing to send: the state written above is the run's only trace.
  const unchanged = quiet.quiet && !notifications.some((n) => !n.silenced) && !errors.length;
  const delivery = await deliver(report, { ...opts, ...(unchanged ? { sink: undefined } : {}), now });
  if (delivery.unpublished.length && opts.state) {
    const mine = delivery.unpublished.filter((n) => n.target === target.id);
    const theServer = delivery.unpublished.filter((n) => n.target !== target.id);
    await unclaim(opts.state, { advisor: 'health', id: target.id, stateName }, mine, before).catch((err) =>
      opts.logger.error('cannot un-claim unpublished notifications; they will not be retried', { error: errorMessage(err) }));
    if (onServer && role && theServer.length) {
      await unclaim(opts.state, { advisor: 'health', id: role.server, stateName: onServer.stateName }, theServer, onServer.before).catch((err) =>
        opts.logger.error('cannot un-claim unpublished server notifications; they will not be retried', { error: errorMessage(err) }));
    }
  }
  const deliveryFailed = errors.some((e) => e.stage === 'report' || e.stage === 'alert' || e.stage === 'state');
  return { report, deliveryFailed, ...(unchanged ? { unchanged: true } : {}) };
}
