/**
 * The two state steps every advisor's run shares: read what the previous run remembered, and
 * claim this run's alert transitions with a conditional write (so two overlapping runs never
 * both notify), saving the new memory in the same write.
 */
import { AlertEntry, EvaluateInput, evaluate } from '../alert/lifecycle';
import { emptyState, migrateState, StateDoc } from '../alert/state';
import type { StateStore } from '../alert/state-store';
import { updateState } from '../alert/state-update';
import { errorMessage } from '../errors';
import type { Logger } from '../log';
import type { Advisor, Notification, RunError } from '../report/types';

export async function loadMemory(store: StateStore | undefined, advisor: Advisor, target: string, logger: Logger, errors: RunError[]): Promise<StateDoc['memory']> {
  if (!store) return {};
  try {
    const loaded = await store.load(`${advisor}/${target}`);
    const migrated = migrateState(loaded.doc, advisor, target);
    if (migrated.discarded) logger.warn('stored state discarded; starting afresh', { target, advisor, reason: migrated.discarded });
    return migrated.doc.memory;
  } catch (err) {
    errors.push({ stage: 'state', message: `cannot read state: ${errorMessage(err)}` });
    return {};
  }
}

export interface Claimed {
  notifications: Notification[];
  /** The alert entries before this run, to un-claim what could not be published. */
  before: Record<string, AlertEntry>;
}

export async function claimTransitions(store: StateStore | undefined, input: EvaluateInput, memory: StateDoc['memory'], errors: RunError[], stateName = `${input.advisor}/${input.target}`): Promise<Claimed> {
  const advisor = input.advisor;
  if (!store) return { notifications: evaluate(emptyState(advisor, input.target).alerts, input).notifications, before: {} };
  let before: Record<string, AlertEntry> = {};
  try {
    const notifications = await updateState(store, stateName, (prev) => {
      const doc = migrateState(prev, advisor, input.target).doc;
      before = doc.alerts;
      const out = evaluate(doc.alerts, input);
      return { doc: { ...doc, alerts: out.next, memory, updatedAt: input.now.toISOString() }, result: out.notifications };
    });
    return { notifications, before };
  } catch (err) {
    errors.push({ stage: 'state', message: `cannot save alert state (notifying as if stateless): ${errorMessage(err)}` });
    return { notifications: evaluate({}, input).notifications, before: {} };
  }
}
