/**
 * Health findings still firing for the target, read from the health advisor's alert state
 * (`health/<target>` in the same state store): entries that reached `for` runs (firingSince)
 * and are not ok, worst first, then oldest first.
 */
import { migrateState } from '../alert/state';
import type { StateStore } from '../alert/state-store';
import { SEVERITY_RANK } from '../health/catalog';
import type { AlertEntry } from '../alert/lifecycle';
import type { FiringAlert } from './types';

export function firingAlerts(alerts: Record<string, AlertEntry>): FiringAlert[] {
  return Object.values(alerts)
    .filter((a) => a.firingSince && a.severity !== 'ok')
    .map((a) => ({ check: a.check, ...(a.object !== undefined ? { object: a.object } : {}), severity: a.severity, since: a.firingSince!, message: a.message }))
    .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.since.localeCompare(b.since) || a.check.localeCompare(b.check));
}

export async function loadFiringHealth(store: StateStore, target: string): Promise<FiringAlert[]> {
  const loaded = await store.load(`health/${target}`);
  return firingAlerts(migrateState(loaded.doc, 'health', target).doc.alerts);
}
