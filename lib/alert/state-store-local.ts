/**
 * State in a local directory (`pgsteward health --state DIR`): `<dir>/<name>.json`.
 *
 * A conditional write on a plain file system needs three parts:
 *  - a lock file created with O_EXCL (`wx`), so only one writer compares-and-writes at a time;
 *  - the version is the SHA-256 of the file's bytes, so any change by anyone is noticed;
 *  - the new content goes to a temp file renamed over the old one (rename is atomic on POSIX),
 *    so a reader never sees half a document and a crash never leaves one.
 * A lock older than STALE_LOCK_MS is taken to be left by a crashed run and removed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { checkStateName, LoadedState, parseStored, StateConflictError, StateStore } from './state-store';
import { readIfExists } from '../util/read-if-exists';

/** A save holds the lock for milliseconds; 30 s means its owner died (brief, and far above any write). */
const STALE_LOCK_MS = 30_000;
/** How long a save waits for someone else's lock before reporting a conflict. */
const LOCK_WAIT_MS = 2_000;
const LOCK_POLL_MS = 15;

export class LocalStateStore implements StateStore {
  constructor(readonly dir: string) {}

  async load(name: string): Promise<LoadedState> {
    const text = await readIfExists(this.path(name));
    if (text === undefined) return {};
    return { doc: parseStored(text), version: hash(text) };
  }

  async save(name: string, doc: unknown, expectedVersion?: string): Promise<void> {
    const file = this.path(name);
    await mkdir(dirname(file), { recursive: true });
    const release = await acquireLock(`${file}.lock`, name);
    try {
      const current = await readIfExists(file);
      const currentVersion = current === undefined ? undefined : hash(current);
      if (currentVersion !== expectedVersion) {
        throw new StateConflictError(name, expectedVersion === undefined ? 'it already exists' : 'its content changed');
      }
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`, { encoding: 'utf8', flag: 'wx' });
        await rename(tmp, file);
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        throw err;
      }
    } finally {
      await release();
    }
  }

  private path(name: string): string {
    return join(this.dir, `${checkStateName(name)}.json`);
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function acquireLock(lock: string, name: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => unlink(lock).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await isStale(lock)) {
      // Not airtight: two waiters that judge the same dead lock stale at the same instant could
      // both get in. That needs a crashed run and then two runs saving within the same few
      // milliseconds: accepted, rather than a lease protocol for a CLI state directory.
      await unlink(lock).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) throw new StateConflictError(name, `locked by another writer (${lock})`);
    await new Promise((r) => setTimeout(r, LOCK_POLL_MS + Math.random() * LOCK_POLL_MS));
  }
}

async function isStale(lock: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(lock)).mtimeMs > STALE_LOCK_MS;
  } catch {
    return false; // gone already: the next `wx` will tell
  }
}
