/**
 * Read-modify-write of one state document with optimistic concurrency: load, apply `fn`, save
 * conditionally on the version loaded; when someone else saved in between, load again and apply
 * `fn` again to *their* document. So two overlapping runs never lose each other's updates, and
 * `fn` must be a pure function of the document it is given (it may run more than once).
 */
import { StateConflictError, StateStore } from './state-store';

export interface UpdateResult<R> {
  doc: unknown;
  result: R;
}

export interface UpdateOptions {
  /** Extra attempts after a conflict (default 3). */
  retries?: number;
}

export async function updateState<R>(
  store: StateStore,
  name: string,
  fn: (prevDoc: unknown) => Promise<UpdateResult<R>> | UpdateResult<R>,
  options: UpdateOptions = {},
): Promise<R> {
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    const loaded = await store.load(name);
    const { doc, result } = await fn(loaded.doc);
    try {
      await store.save(name, doc, loaded.version);
      return result;
    } catch (err) {
      if (!(err instanceof StateConflictError) || attempt >= retries) throw err;
      // A little jitter, so two runs that collided do not collide again in lockstep.
      await new Promise((r) => setTimeout(r, Math.random() * 20 * (attempt + 1)));
    }
  }
}
