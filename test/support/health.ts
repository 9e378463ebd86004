/** One-line helpers for health tests: run checks as the restricted role with given settings. */
import type { ConfigInput } from '../../lib/config/schema';
import { parseConfig } from '../../lib/config/load';
import { selectTargets } from '../../lib/config/resolve';
import { Db, fromUrl } from '../../lib/pg';
import { runChecks, ChecksResult } from '../../lib/health/run';
import type { CheckId } from '../../lib/health/catalog';
import type { Finding } from '../../lib/health/finding';

type HealthInput = NonNullable<NonNullable<ConfigInput['defaults']>['health']>;

/** Settings exactly as a user's config would give them: validated (units converted) and resolved. */
export function healthSettings(health: HealthInput = {}) {
  return selectTargets(parseConfig({ targets: [{ id: 'test', connection: { url: 'postgres://x@127.0.0.1/x' }, health }] }))[0].health;
}

export async function runHealth(url: string, health: HealthInput = {}, only?: CheckId[], memory?: ChecksResult['memory']): Promise<ChecksResult & { statements: number }> {
  const settings = healthSettings(health);
  const db = await Db.connect(fromUrl(url), { statementTimeoutMs: settings.statementTimeoutMs, lockTimeoutMs: settings.lockTimeoutMs, connectTimeoutMs: 5000 });
  try {
    const out = await runChecks(db, settings, { only, memory });
    return { ...out, statements: db.statements };
  } finally {
    await db.close();
  }
}

export function findingsOf(result: { findings: Finding[] }, check: CheckId): Finding[] {
  return result.findings.filter((f) => f.check === check);
}

export function notOk(result: { findings: Finding[] }, check: CheckId): Finding[] {
  return findingsOf(result, check).filter((f) => f.severity !== 'ok');
}

/** Polls until `fn` returns truthy (sessions take a moment to show up in pg_stat_activity). */
export async function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
