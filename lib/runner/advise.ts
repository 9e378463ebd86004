/**
 * One advise run for one target: state (the previous pg_stat_statements snapshot) → connect →
 * advise (lib/advisor) → report → alerts (one per new recommendation or index finding, repeated
 * weekly, resolved when it is gone — e.g. the index was created) → deliver.
 */
import { randomBytes } from 'node:crypto';
import type { StateStore } from '../alert/state-store';
import { advise, AdviseResult, Recommendation } from '../advisor/advise';
import type { StatementsSnapshot } from '../advisor/collect';
import type { AlertSettings, ResolvedTarget } from '../config/resolve';
import { formatBytes, formatDuration } from '../config/units';
import { errorMessage } from '../errors';
import type { AlertInput } from '../alert/lifecycle';
import { connectTarget } from '../pg/connect-target';
import type { AdviseReport, IndexRecommendation, RunError, TopStatement } from '../report/types';
import type { CollectedStatement } from '../advisor/types';
import { deliver, DeliveryOptions } from './deliver';
import { STANDBY_NOTE, whatIfOnStandby } from '../advisor/standby';
import { claimTransitions, loadMemory } from './state-steps';
import { unclaim } from './unclaim';
import { findApplied } from '../digest/applied';
import { prepareDigest } from '../digest/compose';
import type { Digest } from '../digest/types';
import { readLatestReport } from '../digest/gather';
import { todayMeans, withMeans } from '../digest/means';
import type { AppliedRecommendation } from '../report/types';

export interface AdviseRunOptions extends Omit<DeliveryOptions, 'now'> {
  alerts: AlertSettings;
  state?: StateStore;
  /** CLI overrides of the target's settings. */
  storageBudgetBytes?: number;
  whatIf?: 'hypopg' | 'trial';
  onProgress?: (message: string) => void;
  /** Build the nightly digest even without SNS, and return it (the CLI's `--digest`). */
  digest?: boolean;
  now?: () => Date;
}

export interface AdviseRunOutcome {
  report: AdviseReport;
  /** The target could not be advised (connection, missing extension, privilege…). */
  failed: boolean;
  deliveryFailed: boolean;
  /** The digest, when asked for (`digest`). */
  digest?: Digest;
}

const CHECK_RECOMMENDATION = 'index_recommendation';
const CHECK_FINDING = 'index_finding';

export async function runAdvise(target: ResolvedTarget, opts: AdviseRunOptions): Promise<AdviseRunOutcome> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const t0 = Date.now();
  const errors: RunError[] = [];
  const a = target.advise;
  let whatIf = opts.whatIf ?? a.whatIf;
  let standby: string | undefined;
  const memory = await loadMemory(opts.state, 'advise', target.id, opts.logger, errors);
  // The digest compares with the previous report: read it before this run writes its own.
  const previous = await readLatestReport(opts.sink, 'advise', target.id, opts.logger);
  let applied: AppliedRecommendation[] = [];

  let result: AdviseResult | undefined;
  let statements = 0;
  let server: AdviseReport['server'];
  try {
    const db = await connectTarget(target.connection, { statementTimeoutMs: a.statementTimeoutMs, lockTimeoutMs: a.lockTimeoutMs, connectTimeoutMs: target.connectTimeoutMs },
      opts.logger, { onResolved: (p) => (server = { host: p.host, port: p.port, database: p.database }) });
    try {
      server = { host: db.params.host, port: db.params.port, database: db.server.database, version: db.server.version, inRecovery: db.server.inRecovery };
      if (db.server.inRecovery) {
        // A standby's statistics are its own, and it cannot build real (trial) indexes.
        const onStandby = whatIfOnStandby(whatIf);
        whatIf = onStandby.whatIf;
        standby = onStandby.changed ? `${STANDBY_NOTE} ${onStandby.changed}` : STANDBY_NOTE;
      }
      result = await advise(db, {
        minCalls: a.minCalls,
        minMeanTimeMs: a.minMeanTimeMs,
        top: a.top,
        minIntervalMs: a.minIntervalMs,
        storageBudgetBytes: opts.storageBudgetBytes ?? a.storageBudgetBytes,
        maxIndexesPerTable: a.maxIndexesPerTable,
        whatIf,
        trialMaxTableBytes: a.trialMaxTableBytes,
        unusedMinBytes: a.unusedMinBytes,
        minImprovement: a.minImprovement,
      }, { previous: memory.statements as StatementsSnapshot | undefined, now: started, onProgress: opts.onProgress });
      const measured = todayMeans(result.ranked, result.skipped);
      applied = await findApplied(db, previous, measured).catch((err) => {
        errors.push({ stage: 'check', message: `recommendations applied since the previous run not checked: ${errorMessage(err)}` });
        return [];
      });
      statements = db.statements;
      for (const w of result.warnings) errors.push({ stage: 'check', message: w });
    } finally {
      await db.close();
    }
  } catch (err) {
    errors.push({ stage: 'connect', message: `advise could not run: ${errorMessage(err)}` });
  }

  const recommendations = withMeans((result?.recommendations ?? []).map(toReport), result?.ranked ?? []);
  const findings: AlertInput[] = result
    ? [
      ...recommendations.map((r) => ({ check: CHECK_RECOMMENDATION, object: indexNameOf(r.statement), severity: 'warning' as const, message: r.explanation })),
      ...result.indexFindings.map((f) => ({ check: CHECK_FINDING, object: f.index, severity: 'warning' as const, message: `${f.kind} index ${f.index} (${formatBytes(f.sizeBytes)}): ${f.reason} ${f.statement}` })),
    ]
    : [{ check: 'advise_failed', severity: 'warning' as const, message: errors.map((e) => e.message).join('; ') }];
  const evaluatedChecks = result ? [CHECK_RECOMMENDATION, CHECK_FINDING, 'advise_failed'] : ['advise_failed'];
  const input = { target: target.id, advisor: 'advise' as const, findings, evaluatedChecks, now: started, settings: { ...opts.alerts, repeatIntervalMs: a.repeatIntervalMs } };
  const nextMemory = result ? { ...memory, statements: result.snapshot } : memory;
  const { notifications, before } = await claimTransitions(opts.state, input, nextMemory, errors);

  const report: AdviseReport = {
    schemaVersion: 1,
    advisor: 'advise',
    target: target.id,
    runId: randomBytes(4).toString('hex'),
    startedAt: started.toISOString(),
    durationMs: Date.now() - t0,
    server,
    ...(standby ? { standby } : {}),
    recommendations,
    topStatements: topStatements(result?.ranked ?? []),
    ...(applied.length ? { applied } : {}),
    indexFindings: result?.indexFindings ?? [],
    skipped: result?.skipped ?? [],
    summary: {
      recommendations: recommendations.length,
      indexFindings: result?.indexFindings.length ?? 0,
      analysed: result?.analysed ?? 0,
      candidates: result?.candidates ?? 0,
      whatIfCalls: result?.whatIfCalls ?? 0,
      whatIf,
      budgetBytes: result?.budgetBytes ?? 0,
      totalSizeBytes: recommendations.reduce((s, r) => s + r.sizeBytes, 0),
      timeSavedMs: Math.round(recommendations.reduce((s, r) => s + r.timeSavedMs, 0)),
      counters: result?.source ?? 'cumulative',
      since: result?.since ?? null,
      ...(result?.note ? { note: result.note } : {}),
    },
    statements,
    notifications,
    errors,
  };
  // The digest replaces the per-recommendation pages; the transitions stay in the report.
  const prepared = opts.sns || opts.digest ? await prepareDigest(opts, target.id, previous) : undefined;
  const delivery = await deliver(report, { ...opts, now, ...(opts.sns && prepared ? { compose: prepared.compose } : {}) });
  if (delivery.unpublished.length && opts.state) {
    await unclaim(opts.state, { advisor: 'advise', id: target.id, stateName: `advise/${target.id}` }, delivery.unpublished, before).catch((err) =>
      opts.logger.error('cannot un-claim unpublished notifications; they will not be retried', { error: errorMessage(err) }));
  }
  const digest = opts.digest && prepared ? prepared.build(report, report.location) : undefined;
  return { report, failed: !result, deliveryFailed: errors.some((e) => e.stage === 'report' || e.stage === 'alert' || e.stage === 'state'), ...(digest ? { digest } : {}) };
}

function toReport(r: Recommendation): IndexRecommendation {
  const directions = r.columns.map((c) => `${c.direction ?? 'asc'}${c.nulls ? ` nulls ${c.nulls}` : ''}`);
  const calls = r.statements.reduce((s, x) => s + x.calls, 0);
  const best = r.statements.reduce((m, x) => Math.max(m, 1 - x.costAfter / Math.max(x.costBefore, 1e-9)), 0);
  const cols = r.columns.map((c) => c.name).join(', ');
  return {
    table: r.tableName,
    columns: r.columns.map((c) => c.name),
    ...(directions.some((d) => d !== 'asc') ? { directions } : {}),
    method: 'btree',
    ...(r.include?.length ? { include: r.include } : {}),
    ...(r.where ? { where: r.where } : {}),
    statement: r.statement,
    sizeBytes: r.sizeBytes,
    benefit: r.benefit,
    timeSavedMs: r.timeSavedMs,
    writeOverhead: r.writeOverhead,
    statements: r.statements,
    explanation:
      `An index on ${r.tableName} (${cols})${r.include?.length ? ` carrying ${r.include.join(', ')}` : ''}${r.where ? ` for rows where ${r.where}` : ''} ` +
      `serves ${r.statements.length} statement(s) called ${calls} times; the planner's cost falls by up to ${Math.round(best * 100)}%, ` +
      `about ${formatDuration(r.timeSavedMs)} of execution time saved over the measured interval, for ${formatBytes(r.sizeBytes)} on disk` +
      `${r.writeOverhead > 0 ? ' and some work on every write' : ''}.`,
  };
}

/** The index name in the first CREATE INDEX statement (stable across runs: the alert key). */
function indexNameOf(statement: string): string {
  return /IF NOT EXISTS "((?:[^"]|"")+)"/.exec(statement)?.[1].replace(/""/g, '"') ?? statement.slice(0, 60);
}

/** Enough for a digest's "new top statements" and a readable chart; the full list is in pg_stat_statements. */
export const TOP_STATEMENTS = 20;
/** Long enough to recognise a statement in an email; the queryid finds the rest. */
export const TOP_STATEMENT_TEXT = 500;

function topStatements(ranked: CollectedStatement[]): TopStatement[] {
  return [...ranked]
    .sort((a, b) => b.totalExecMs - a.totalExecMs)
    .slice(0, TOP_STATEMENTS)
    .map((s) => ({
      queryid: s.queryid,
      query: s.query.length > TOP_STATEMENT_TEXT ? `${s.query.slice(0, TOP_STATEMENT_TEXT - 1)}…` : s.query,
      user: s.user,
      calls: s.calls,
      totalTimeMs: Math.round(s.totalExecMs * 1000) / 1000,
      meanTimeMs: Math.round(s.meanExecMs * 1000) / 1000,
    }));
}
