/**
 * The server half of a health run: when this target covers its server's instance-level checks,
 * their findings go through their own alert lifecycle, keyed by `host:port` instead of the target
 * and stored under `health/server=<host:port>`, so however many targets (and concurrent
 * invocations) share the server, each transition is claimed, and notified, once.
 */
import type { AlertEntry } from '../alert/lifecycle';
import type { StateStore } from '../alert/state-store';
import type { AlertSettings } from '../config/resolve';
import { CHECKS, CHECK_IDS, CheckId } from '../health/catalog';
import type { Finding } from '../health/finding';
import { ServerRole, serverStateName } from '../health/servers';
import type { InstanceChecksSection, Notification, RunError } from '../report/types';
import { claimTransitions } from './state-steps';

/** Checks with a server-wide part: what a covering run evaluates for the server. */
export const SERVER_CHECKS: CheckId[] = CHECK_IDS.filter((id) => CHECKS[id].scope !== 'database');

export interface ServerClaimed {
  notifications: Notification[];
  before: Record<string, AlertEntry>;
  stateName: string;
}

/** Claims the server's alert transitions (nothing to do when another target covers the server). */
export async function claimServerTransitions(
  store: StateStore | undefined,
  role: ServerRole,
  run: { findings: Finding[]; evaluatedChecks: string[]; now: Date; alerts: AlertSettings },
  errors: RunError[],
): Promise<ServerClaimed> {
  const stateName = serverStateName(role.server);
  if (!role.covers) return { notifications: [], before: {}, stateName };
  const input = {
    target: role.server,
    advisor: 'health' as const,
    findings: run.findings.filter((f) => f.scope === 'server'),
    evaluatedChecks: run.evaluatedChecks.filter((c) => (SERVER_CHECKS as string[]).includes(c)),
    now: run.now,
    settings: run.alerts,
  };
  const claimed = await claimTransitions(store, input, {}, errors, stateName);
  return { ...claimed, stateName };
}

/** What the report says about the server: covered here (for which targets), or by whom. */
export function instanceSection(role: ServerRole, self: string): InstanceChecksSection {
  return {
    server: role.server,
    coveredBy: role.covers ? self : role.owner,
    targets: role.targets,
    checks: SERVER_CHECKS,
    ...(role.dynamic
      ? { note: 'The host comes from a secret, known only at run time: other runs on this server may check it too; its alerts are deduplicated through the server state.' }
      : {}),
  };
}
