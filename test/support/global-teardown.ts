import { ClusterInfo, stopCluster } from './cluster';

export default async function globalTeardown(): Promise<void> {
  const info = (globalThis as { __PGSTEWARD_CLUSTER__?: ClusterInfo }).__PGSTEWARD_CLUSTER__;
  if (info) stopCluster(info, { keep: !!process.env.PGSTEWARD_KEEP_CLUSTER });
}
