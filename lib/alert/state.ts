/**
 * The state document kept between runs of one advisor on one target: the alert entries (so a
 * finding notifies once, not on every run) and `memory`, counters that checks keep for
 * themselves (e.g. cache hit/read totals, to judge the interval since the previous run).
 *
 * Whatever is read back is distrusted: a document that does not parse, has another version or
 * belongs to another advisor/target is replaced by an empty one, and the caller is told why
 * (so it can log it). The cost of discarding is one round of repeated `new` notifications;
 * the cost of trusting garbage could be alerts that never fire again.
 */
import { z } from 'zod';
import type { Advisor } from '../report/types';
import type { AlertEntry } from './lifecycle';

export const STATE_VERSION = 1;

export interface StateDoc {
  version: typeof STATE_VERSION;
  advisor: Advisor;
  target: string;
  /** ISO time of the run that wrote it. */
  updatedAt: string;
  alerts: Record<string, AlertEntry>;
  /** Per-check data owned by the callers; kept as-is. */
  memory: Record<string, unknown>;
}

export interface MigratedState {
  doc: StateDoc;
  /** Set when a stored document existed but was thrown away: why. */
  discarded?: string;
}

const severity = z.enum(['ok', 'warning', 'critical', 'unknown']);
const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO date' });

const alertEntrySchema = z.object({
  target: z.string(),
  check: z.string(),
  object: z.string().optional(),
  severity,
  message: z.string(),
  pendingRuns: z.number().int().nonnegative(),
  firstSeenAt: isoTime,
  firingSince: isoTime.optional(),
  lastNotifiedAt: isoTime.optional(),
  lastNotifiedSeverity: severity.optional(),
  lastSeenAt: isoTime,
});

const stateSchema = z.object({
  version: z.literal(STATE_VERSION),
  advisor: z.enum(['health', 'advise', 'partitions']),
  target: z.string(),
  updatedAt: z.string(),
  alerts: z.record(z.string(), alertEntrySchema),
  memory: z.record(z.string(), z.unknown()),
});

export function emptyState(advisor: Advisor, target: string, now = new Date(0)): StateDoc {
  return { version: STATE_VERSION, advisor, target, updatedAt: now.toISOString(), alerts: {}, memory: {} };
}

/**
 * A valid v1 document for (advisor, target) from whatever the store returned: the parsed JSON,
 * the raw text when it was not JSON, or undefined when there was nothing.
 */
export function migrateState(raw: unknown, advisor: Advisor, target: string): MigratedState {
  const fresh = (discarded?: string): MigratedState => ({ doc: emptyState(advisor, target), ...(discarded ? { discarded } : {}) });
  if (raw === undefined || raw === null) return fresh();

  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return fresh('state is not valid JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fresh('state is not a JSON object');

  // Version first: a future version may well fail this schema, and that is the better reason.
  const version = (value as { version?: unknown }).version;
  if (version !== STATE_VERSION) return fresh(`state version ${JSON.stringify(version) ?? 'missing'} is not ${STATE_VERSION}`);

  const parsed = stateSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fresh(`state is malformed at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const doc = parsed.data as StateDoc;
  if (doc.advisor !== advisor || doc.target !== target) {
    return fresh(`state belongs to ${doc.advisor}/${doc.target}, not ${advisor}/${target}`);
  }
  // Entries of another target would never resolve (their keys are never produced): drop them.
  for (const [key, entry] of Object.entries(doc.alerts)) if (entry.target !== target) delete doc.alerts[key];
  return { doc };
}
