/**
 * When SNS refused a message, the notifications it carried were already claimed in the state
 * (that is what stops two overlapping runs from both paging). Put those keys back as they were
 * before this run, so the next run notifies them again instead of losing them.
 */
import type { AlertEntry } from '../alert/lifecycle';
import type { StateStore } from '../alert/state-store';
import { updateState } from '../alert/state-update';
import type { Advisor, Notification } from '../report/types';
import { migrateState } from '../alert/state';

export async function unclaim(
  store: StateStore,
  target: { advisor: Advisor; id: string; stateName: string },
  notifications: Notification[],
  before: Record<string, AlertEntry>,
): Promise<void> {
  await updateState(store, target.stateName, (prev) => {
    const doc = migrateState(prev, target.advisor, target.id).doc;
    const alerts = { ...doc.alerts };
    for (const n of notifications) {
      if (before[n.key]) alerts[n.key] = before[n.key];
      else delete alerts[n.key];
    }
    return { doc: { ...doc, alerts }, result: undefined };
  });
}
