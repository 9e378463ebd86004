import { dirname, join } from 'node:path';
import { ClusterInfo, STEWARD_PASSWORD, SUPERUSER_PASSWORD, stopCluster } from './cluster';
import { CAPTURE_ENV, scanCapture } from './secret-capture';

export default async function globalTeardown(): Promise<void> {
  const info = (globalThis as { __PGSTEWARD_CLUSTER__?: ClusterInfo }).__PGSTEWARD_CLUSTER__;
  const capture = process.env[CAPTURE_ENV];
  // Scanned before the cluster (and the capture beside it) is removed; the server log too, in
  // case a password reached the database in a statement or an application_name.
  const leaks = capture ? scanCapture(capture, [SUPERUSER_PASSWORD, STEWARD_PASSWORD], info ? [join(dirname(info.dataDir), 'server.log')] : []) : [];
  if (info) stopCluster(info, { keep: !!process.env.PGSTEWARD_KEEP_CLUSTER });
  if (leaks.length) {
    // A thrown global teardown fails jest's exit code. Say where, never what.
    const where = leaks.map((l) => `  ${l.file} [${l.stream}]: secret #${l.secret}`).join('\n');
    throw new Error(`A password or registered secret appeared in the suite's output (support/secret-capture.ts); secret #0 is SUPERUSER_PASSWORD, #1 STEWARD_PASSWORD, the rest registered:\n${where}`);
  }
}
