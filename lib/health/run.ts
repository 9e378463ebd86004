/**
 * Runs the enabled checks over one connection and turns failures into findings: a family
 * that errors yields `unknown` findings for its checks (and, for a missing privilege, a
 * `permissions` finding naming the GRANT), never a crashed run. Checks that could not be
 * evaluated are reported as such, so the alert lifecycle does not mistake silence for recovery.
 */
import type { HealthSettings } from '../config/resolve';
import { globMatch } from '../alert/key';
import { errorMessage } from '../errors';
import { Db } from '../pg/db';
import { LockTimeoutError, PermissionError, QueryCanceledError } from '../pg/errors';
import { CHECKS, CHECK_IDS, CheckId, worstSeverity } from './catalog';
import type { MissingGrant } from './context';
import { FAMILIES } from './families';
import { adaptForAurora, isAurora } from './aurora';
import type { Finding } from './finding';

export interface ChecksResult {
  findings: Finding[];
  /** Checks whose verdict this run is complete (ok or not): only their absent alerts may resolve. */
  evaluatedChecks: CheckId[];
  /** Per family, what it wants to remember until the next run. */
  memory: Record<string, Record<string, unknown>>;
}

export function enabledChecks(settings: HealthSettings, only?: string[], instance = true): Set<CheckId> {
  const wanted = only?.length ? new Set(only) : undefined;
  return new Set(CHECK_IDS.filter((id) => !settings.disabled.includes(id) && (!wanted || wanted.has(id)) && (instance || CHECKS[id].scope !== 'instance')));
}

export async function runChecks(
  db: Db,
  settings: HealthSettings,
  opts: {
    memory?: Record<string, Record<string, unknown>>;
    now?: Date;
    only?: string[];
    /**
     * Run the server-wide checks too (default). False when another target on the same host:port
     * covers them: instance-scoped checks are skipped and `both`-scoped ones keep their database part.
     */
    instance?: boolean;
  } = {},
): Promise<ChecksResult> {
  const now = opts.now ?? new Date();
  const instance = opts.instance ?? true;
  // On Aurora, checks whose PostgreSQL queries do not describe it are replaced by an explanation.
  // (If even that lookup fails, the checks run as on PostgreSQL and say what they find.)
  const wanted = enabledChecks(settings, opts.only, instance);
  const aurora = adaptForAurora(wanted, await isAurora(db, wanted).catch(() => false));
  const enabled = aurora.run;
  const findings: Finding[] = [];
  const evaluated = new Set<CheckId>();
  const memory: Record<string, Record<string, unknown>> = { ...(opts.memory ?? {}) };
  const missing: MissingGrant[] = [];

  if (enabled.has('connection')) {
    evaluated.add('connection');
    findings.push({
      check: 'connection', severity: 'ok',
      message: `Connected to ${db.params.host}:${db.params.port}/${db.server.database} as ${db.server.user} (PostgreSQL ${db.server.version}${db.server.inRecovery ? ', standby' : ''})`,
    });
  }
  if (!db.server.hasMonitor) {
    missing.push({
      object: 'pg_monitor',
      fix: `GRANT pg_monitor TO ${db.server.user};`,
      message: `Role ${db.server.user} is not a member of pg_monitor: other sessions' queries and some statistics are hidden, so session checks may miss problems.`,
    });
  }

  for (const f of aurora.skipped) {
    findings.push(tagScope(f));
    evaluated.add(f.check);
  }
  for (const family of FAMILIES) {
    const mine = new Set(family.checks.filter((c) => enabled.has(c)));
    if (!mine.size) continue;
    try {
      const out = await family.run({ db, settings, memory: memory[family.name] ?? {}, now, instance }, mine);
      findings.push(...out.findings.map(tagScope));
      if (out.memory) memory[family.name] = out.memory;
      missing.push(...(out.missingGrants ?? []));
      mine.forEach((c) => evaluated.add(c));
    } catch (err) {
      for (const check of mine) findings.push(tagScope(failedCheck(check, err)));
      if (err instanceof PermissionError) {
        missing.push({ object: family.name, fix: `GRANT pg_monitor TO ${db.server.user};`, message: `The ${family.name} checks need a privilege the role lacks: ${errorMessage(err)}` });
      }
    }
  }

  if (enabled.has('permissions')) {
    evaluated.add('permissions');
    const severity = CHECKS.permissions.defaults.severity ?? 'warning';
    const configured = settings.thresholds.permissions?.severity ?? severity;
    findings.push(...(missing.length
      ? missing.map((m): Finding => ({ check: 'permissions', severity: configured, object: m.object, message: `${m.message} Fix: ${m.fix}`, detail: { fix: m.fix } }))
      : [{ check: 'permissions', severity: 'ok', message: `Role ${db.server.user} has the privileges the health checks need` } as Finding]));
  }

  return { findings: applyIgnores(findings, settings), evaluatedChecks: [...evaluated], memory };
}

/** Findings of instance-scoped checks are server-wide; `both`-scoped families tag their own. */
function tagScope(f: Finding): Finding {
  return CHECKS[f.check].scope === 'instance' && !f.scope ? { ...f, scope: 'server' } : f;
}

/** A check that could not run: `unknown`, with what went wrong and what to do about it. */
export function failedCheck(check: CheckId, err: unknown): Finding {
  let why = errorMessage(err);
  if (err instanceof LockTimeoutError) why = `gave up waiting for a lock held by another session (lock_timeout), rather than queue behind the application: ${why}`;
  else if (err instanceof QueryCanceledError) why = `the query was cancelled by statement_timeout: ${why}`;
  return { check, severity: 'unknown', message: `Could not check ${check}: ${why}`, detail: { error: errorMessage(err), code: (err as { code?: string }).code } };
}

/** Drops non-ok findings whose object matches a `health.ignore[check]` pattern. */
export function applyIgnores(findings: Finding[], settings: HealthSettings): Finding[] {
  return findings.filter((f) => {
    if (f.severity === 'ok' || !f.object) return true;
    const patterns = settings.ignore[f.check] ?? [];
    return !patterns.some((p) => globMatch(p, f.object!));
  });
}

export function summarize(findings: Finding[]): { worst: ReturnType<typeof worstSeverity>; counts: Record<'ok' | 'warning' | 'critical' | 'unknown', number> } {
  const counts = { ok: 0, warning: 0, critical: 0, unknown: 0 };
  for (const f of findings) counts[f.severity]++;
  return { worst: worstSeverity(findings.map((f) => f.severity)), counts };
}
