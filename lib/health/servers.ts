/**
 * Several targets (databases) may live on one PostgreSQL server. Instance-level checks (see
 * CHECKS[id].scope) read cluster-wide views, so they give the same answer from every database:
 * they run, and alert, once per server (`host:port`), by the target that "covers" the server.
 *
 * Who covers a server:
 *  - statically, from the config: the first target (in config order) whose connection names
 *    that host and port (a URL, host fields, or a secret with both `host` and `port` overrides).
 *    Every process, including one Lambda invocation per target, reaches the same answer.
 *  - at run time, when only the connection tells the host (a Secrets Manager secret without a
 *    host override): within one process the first such target to connect claims the server
 *    (ServerClaims); across processes each such target runs the checks, and their alert state
 *    lives under one server-scoped state name whose conditional write claims each transition
 *    once (lib/runner/state-steps.ts), so people are still notified once.
 */
import type { ConnectionConfig } from '../config/schema';
import { fromUrl } from '../pg/credentials';

/** `host:port`, the name server-wide alerts carry in place of a target id. */
export function serverName(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`;
}

/**
 * The state document of a server's instance-level alerts (shared by every target on it). A host
 * may be a Unix socket directory (`/var/run/postgresql`): encoded, so it stays one path segment.
 */
export function serverStateName(server: string): string {
  const safe = server.replace(/[^A-Za-z0-9._:-]/g, (c) => `_${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `health/server=${safe}`;
}

/** The server a connection names in the config itself, or undefined when only run time tells. */
export function configuredServer(conn: ConnectionConfig): string | undefined {
  if ('url' in conn) {
    try {
      const p = fromUrl(conn.url);
      // A Unix socket directory is a server too, but only on this machine: still one name per server.
      return serverName(p.host, p.port);
    } catch {
      return undefined;
    }
  }
  if ('secretArn' in conn) return conn.host && conn.port ? serverName(conn.host, conn.port) : undefined;
  return serverName(conn.host, conn.port ?? 5432);
}

export interface ServerGroup {
  server: string;
  /** The target that runs the instance-level checks. */
  owner: string;
  /** Every configured target naming this server, in config order (the owner first). */
  targets: string[];
}

/** Groups the configured targets by the server their connection names; targets known only at run time are left out. */
export function planServers(targets: { id: string; connection: ConnectionConfig }[]): Map<string, ServerGroup> {
  const groups = new Map<string, ServerGroup>();
  for (const t of targets) {
    const server = configuredServer(t.connection);
    if (!server) continue;
    const g = groups.get(server);
    if (g) g.targets.push(t.id);
    else groups.set(server, { server, owner: t.id, targets: [t.id] });
  }
  return groups;
}

/** How one target's run treats its server. */
export interface ServerRole extends ServerGroup {
  /** This target runs the instance-level checks (it is the owner). */
  covers: boolean;
  /** The owner was decided at run time (host from a secret): other processes may cover it too. */
  dynamic: boolean;
}

/**
 * What one process knows about servers: the static plan from the whole config, plus the
 * run-time claims of targets whose host only their secret tells. Share one instance across the
 * targets of one run (the CLI, the Lambda invoked with `{}`).
 */
export class ServerClaims {
  private readonly plan: Map<string, ServerGroup>;
  private readonly claimed = new Map<string, ServerGroup>();

  constructor(allTargets: { id: string; connection: ConnectionConfig }[]) {
    this.plan = planServers(allTargets);
  }

  /** The role of `target`, now connected to `host:port`. Synchronous, so concurrent runs in one process cannot both claim. */
  roleOf(target: { id: string; connection: ConnectionConfig }, host: string, port: number): ServerRole {
    const server = serverName(host, port);
    const planned = this.plan.get(server);
    if (planned) {
      if (!planned.targets.includes(target.id)) planned.targets.push(target.id);
      return { ...planned, targets: [...planned.targets], covers: planned.owner === target.id, dynamic: false };
    }
    const seen = this.claimed.get(server);
    if (seen) {
      if (!seen.targets.includes(target.id)) seen.targets.push(target.id);
      return { ...seen, targets: [...seen.targets], covers: seen.owner === target.id, dynamic: true };
    }
    const group = { server, owner: target.id, targets: [target.id] };
    this.claimed.set(server, group);
    return { ...group, targets: [target.id], covers: true, dynamic: true };
  }
}
