/**
 * A lock conflict made for real, for the demo and the version probes: one session updates a row
 * of `accounts` (id 1) in an open transaction and goes idle; another updates the same row and
 * waits. Returns once the waiter shows up in pg_stat_activity waiting on a Lock.
 */
import type { Client } from 'pg';

export interface BlockedSession {
  holderPid: number;
  waiterPid: number;
}

export async function plantBlockedSession(setup: Client, open: (application: string) => Promise<Client>, names: { holder: string; waiter: string }): Promise<BlockedSession> {
  const holder = await open(names.holder);
  await holder.query('begin');
  await holder.query('update accounts set balance = balance - 10 where id = 1');
  const waiter = await open(names.waiter);
  // Never settles until teardown ends the holder's transaction (or the server).
  waiter.query('update accounts set balance = balance + 10 where id = 1').catch(() => undefined);
  const holderPid = (holder as unknown as { processID: number }).processID;
  const waiterPid = (waiter as unknown as { processID: number }).processID;
  for (let i = 0; ; i++) {
    const r = await setup.query(`select 1 from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'`, [waiterPid]);
    if (r.rowCount) break;
    if (i > 50) throw new Error('the blocked session never started waiting on its lock');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { holderPid, waiterPid };
}
