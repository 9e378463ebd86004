/**
 * A private PostgreSQL cluster for tests and benchmarks, made from the system binaries:
 * data under the system temp dir (never the checkout), pg_stat_statements preloaded, HypoPG and
 * pg_partman available, on a free loopback port. Installs the Debian packages it needs when it
 * can (root + apt); otherwise fails saying what to install.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../../lib/util/free-port';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SUPERUSER_PASSWORD = 'pgsteward-test-superuser';
export const STEWARD_PASSWORD = 'pgsteward-test-role';

export interface ClusterInfo {
  host: string;
  port: number;
  dataDir: string;
  binDir: string;
  major: number;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export function findBinDir(): { binDir: string; major: number } {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).map(Number).filter((n) => n >= 13).sort((a, b) => b - a) : [];
  for (const major of majors) {
    const binDir = join(root, String(major), 'bin');
    if (existsSync(join(binDir, 'initdb'))) return { binDir, major };
  }
  throw new Error('No PostgreSQL server binaries under /usr/lib/postgresql/<major>/bin. Install them: apt-get install postgresql');
}

/** HypoPG and pg_partman for the installed major: installed through apt when we can. */
export function ensureExtensions(major: number): void {
  const share = `/usr/share/postgresql/${major}/extension`;
  const missing = [
    ['hypopg.control', `postgresql-${major}-hypopg`],
    ['pg_partman.control', `postgresql-${major}-partman`],
  ].filter(([file]) => !existsSync(join(share, file))).map(([, pkg]) => pkg);
  if (!missing.length) return;
  const hint = `apt-get install -y ${missing.join(' ')}`;
  if (!isRoot) throw new Error(`PostgreSQL extensions missing and not root to install them. Run: ${hint}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { env, stdio: 'pipe' });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'pipe' });
    r = spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { env, stdio: 'pipe' });
  }
  if (r.status !== 0) throw new Error(`Could not install ${missing.join(', ')} (${r.stderr}). Run: ${hint}`);
}

export { freePort };

/** Runs a server binary as the `postgres` OS user when we are root (initdb and postgres refuse root). */
function runAsOwner(bin: string, args: string[], opts: { input?: string } = {}): string {
  const cmd = isRoot ? 'runuser' : bin;
  const argv = isRoot ? ['-u', 'postgres', '--', bin, ...args] : args;
  return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], input: opts.input });
}

function ownDir(dir: string): void {
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
}

const SERVER_SETTINGS = [
  'shared_preload_libraries=pg_stat_statements',
  'listen_addresses=127.0.0.1',
  'max_prepared_transactions=10',
  'max_connections=200',
  'wal_level=replica',
  'max_wal_senders=5',
  'max_replication_slots=10',
  'track_io_timing=on',
  'pg_stat_statements.track=all',
  // A throwaway cluster: durability buys nothing and costs seconds.
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
];

export async function startCluster(opts: { settings?: string[] } = {}): Promise<ClusterInfo> {
  const { binDir, major } = findBinDir();
  ensureExtensions(major);
  const base = mkdtempSync(join(tmpdir(), 'pgsteward-pg-'));
  ownDir(base);
  const dataDir = join(base, 'data');
  const pwfile = join(base, 'pwfile');
  writeFileSync(pwfile, SUPERUSER_PASSWORD + '\n');
  ownDir(pwfile);
  runAsOwner(join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--pwfile', pwfile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8']);
  const port = await freePort();
  const settings = [...SERVER_SETTINGS, ...(opts.settings ?? []), `unix_socket_directories=${base}`, `port=${port}`];
  runAsOwner(join(binDir, 'pg_ctl'), ['-D', dataDir, '-l', join(base, 'server.log'), '-w', '-t', '60', '-o', settings.map((s) => `-c ${s}`).join(' '), 'start']);
  return { host: '127.0.0.1', port, dataDir, binDir, major };
}

export function stopCluster(info: ClusterInfo, opts: { keep?: boolean } = {}): void {
  try {
    runAsOwner(join(info.binDir, 'pg_ctl'), ['-D', info.dataDir, '-m', 'immediate', '-w', 'stop']);
  } catch {
    /* already stopped */
  }
  if (!opts.keep) rmSync(join(info.dataDir, '..'), { recursive: true, force: true });
}

/**
 * A streaming standby of `primary`, made with pg_basebackup -R (replication_lag tests).
 * --checkpoint=fast: a spread checkpoint on a cluster with dirty buffers takes minutes.
 */
export async function startStandby(primary: ClusterInfo): Promise<ClusterInfo> {
  const base = mkdtempSync(join(tmpdir(), 'pgsteward-standby-'));
  ownDir(base);
  const dataDir = join(base, 'data');
  const port = await freePort();
  const env = `PGPASSWORD=${SUPERUSER_PASSWORD}`;
  execFileSync(isRoot ? 'runuser' : 'env', [
    ...(isRoot ? ['-u', 'postgres', '--', 'env'] : []),
    env, join(primary.binDir, 'pg_basebackup'), '-h', primary.host, '-p', String(primary.port), '-U', 'postgres', '-D', dataDir, '-R', '-X', 'stream', '--checkpoint=fast',
  ], { stdio: 'pipe' });
  // cluster_name is the walreceiver's application_name when primary_conninfo has none.
  const settings = [...SERVER_SETTINGS, `unix_socket_directories=${base}`, `port=${port}`, 'hot_standby=on', 'cluster_name=standby1'];
  runAsOwner(join(primary.binDir, 'pg_ctl'), ['-D', dataDir, '-l', join(base, 'server.log'), '-w', '-t', '60', '-o', settings.map((s) => `-c ${s}`).join(' '), 'start']);
  return { host: '127.0.0.1', port, dataDir, binDir: primary.binDir, major: primary.major };
}

export function superuserUrl(info: Pick<ClusterInfo, 'host' | 'port'>, database = 'postgres'): string {
  return `postgres://postgres:${SUPERUSER_PASSWORD}@${info.host}:${info.port}/${database}`;
}

export function stewardUrl(info: Pick<ClusterInfo, 'host' | 'port'>, database = 'postgres'): string {
  return `postgres://pgsteward:${STEWARD_PASSWORD}@${info.host}:${info.port}/${database}`;
}
