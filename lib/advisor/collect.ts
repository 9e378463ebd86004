/**
 * Stage 1 of the index advisor: which statements deserve advice. Reads pg_stat_statements
 * (./collect-sql), drops what an index cannot help or we must not touch (each with its reason),
 * ranks the rest by total execution time and keeps the top ones.
 *
 * Interval or cumulative. Counters are cumulative since the last reset, which can be months:
 * ranking by them would keep advising on last quarter's workload. With the previous run's
 * snapshot the counters of the interval in between are used instead. Rule, per entry
 * (key: userid + dbid + queryid + toplevel):
 *   - in the previous snapshot and no counter went down: current − previous;
 *   - in it but a counter went down, or (PG 17+) stats_since is after the snapshot: the entry was
 *     evicted or reset and re-created since, so all its current counters belong to the interval;
 *   - not in it, and the snapshot held every entry (or stats_since is after it): the entry did not
 *     exist then, so again all its counters belong to the interval;
 *   - not in a snapshot that was cut to its top entries: it had at most the snapshot's `floor`
 *     (the largest counters left out), so current − floor is a lower bound.
 * An increased `dealloc` means entries may have been evicted and re-created in between; where
 * counters went up anyway the difference undercounts (before PG 17 this cannot be told apart),
 * so it is said in the note. The whole run falls back to cumulative counters (and says why)
 * when there is no usable snapshot, stats_reset changed (or, before 1.9, every matched entry went
 * down), the interval is shorter than minIntervalMs, or it saw fewer than minIntervalCalls calls.
 */
import { z } from 'zod';
import type { Db } from '../pg/db';
import { ConfigError } from '../errors';
import type { CollectedStatement, SkippedStatement } from './types';
import { classifyText, HIDDEN_TEXT, preview, readStatements, StatementRow, StatementsRead, StatsPrivilegeError } from './collect-sql';

export interface CollectSettings {
  /** Statements called fewer times are skipped (one-off queries are not worth an index). @default 2 */
  minCalls: number;
  /** Statements faster on average are skipped (an index cannot save much). @default 1 */
  minMeanTimeMs: number;
  /** How many statements go on to planning (each costs several EXPLAINs). @default 200 */
  top: number;
  /** A shorter interval since the previous snapshot uses cumulative counters. @default 3600000 (1 h) */
  minIntervalMs: number;
  /** Fewer calls in the interval (all kept statements together) use cumulative counters. @default minCalls */
  minIntervalCalls?: number;
}

export const DEFAULT_COLLECT_SETTINGS: CollectSettings = { minCalls: 2, minMeanTimeMs: 1, top: 200, minIntervalMs: 3_600_000 };

/** Defaults merged with `input`; unknown keys and bad values fail loudly (a typo must not silently use a default). */
export function collectSettings(input: Partial<CollectSettings> = {}): CollectSettings {
  const out = { ...DEFAULT_COLLECT_SETTINGS, ...input };
  const problems = Object.keys(input).filter((k) => !(k in DEFAULT_COLLECT_SETTINGS) && k !== 'minIntervalCalls').map((k) => `${k}: unknown setting`);
  for (const [k, v] of Object.entries(out)) if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) problems.push(`${k}: expected a number ≥ 0`);
  if (!(out.top >= 1)) problems.push('top: expected at least 1');
  if (problems.length) throw new ConfigError(problems, 'advise.collect settings');
  return out;
}

export interface CollectResult {
  statements: CollectedStatement[];
  skipped: SkippedStatement[];
  /** What to keep for the next run (state `memory`). */
  snapshot: StatementsSnapshot;
  source: 'interval' | 'cumulative';
  /** ISO time the counters count from: the previous snapshot, or the last reset (null: unknown). */
  since: string | null;
  /** Why the counters are what they are, for people. */
  note?: string;
}

/** Reads pg_stat_statements and judges it (see the rule above). */
export async function collect(db: Db, settings: Partial<CollectSettings> = {}, previous?: StatementsSnapshot, now = new Date()): Promise<CollectResult> {
  return judgeStatements(await readStatements(db), collectSettings(settings), previous, now);
}

interface Entry {
  row: StatementRow;
  key?: string;
  skip?: SkippedStatement;
  /** Counters to rank by: the interval's or cumulative. */
  use: Counters;
}

const counters = (r: StatementRow): Counters => [r.calls, r.totalExecMs, r.rows, r.sharedBlksHit, r.sharedBlksRead];
const minus = (a: Counters, b: Counters): Counters => a.map((v, i) => Math.max(0, v - b[i])) as Counters;
const wentDown = (a: Counters, b: Counters) => a[0] < b[0] || a[1] < b[1];

/** Pure: the judging half of collect(), on rows already read (tests feed it made-up rows). */
export function judgeStatements(read: StatementsRead, settings: CollectSettings, previousRaw: unknown, now: Date): CollectResult {
  const grant = `GRANT pg_read_all_stats TO ${read.role};`;
  const skipped: SkippedStatement[] = [];
  const entries: Entry[] = [];
  let hidden = 0;
  for (const row of read.rows) {
    if (row.query === HIDDEN_TEXT && !row.queryid) {
      hidden++;
      skipped.push({ query: HIDDEN_TEXT, reason: 'unsupported', detail: `statement of role ${row.user} hidden from ${read.role}: ${grant}` });
      continue;
    }
    const text = classifyText(row.query);
    const skip = text ? { queryid: row.queryid ?? undefined, query: preview(row.query, text.reason), reason: text.reason, detail: text.detail } : undefined;
    if (skip) skipped.push(skip);
    else entries.push({ row, key: row.queryid ? snapshotKey(row.userid, row.queryid, row.toplevel) : undefined, use: counters(row) });
  }

  const notes: string[] = [];
  const { snapshot: prev, discarded } = readSnapshot(previousRaw);
  if (discarded) notes.push(`previous snapshot ignored: ${discarded}`);
  let source: 'interval' | 'cumulative' = 'cumulative';
  let since = read.statsReset;
  const why = prev ? intervalProblem(read, prev, entries, settings, now) : 'no previous snapshot (first run)';
  if (!why && prev) {
    const interval = entries.map((e) => intervalCounters(e, prev));
    const calls = interval.reduce((s, c) => s + c[0], 0);
    const minIntervalCalls = settings.minIntervalCalls ?? settings.minCalls;
    if (calls < minIntervalCalls) {
      notes.push(`only ${calls} calls since the previous snapshot (fewer than ${minIntervalCalls}): cumulative counters used`);
    } else {
      entries.forEach((e, i) => (e.use = interval[i]));
      source = 'interval';
      since = prev.takenAt;
      notes.push(`counters of the ${Math.round((now.getTime() - Date.parse(prev.takenAt)) / 60_000)} min since the previous snapshot`);
      if (read.dealloc !== null && prev.dealloc !== null && read.dealloc > prev.dealloc) {
        notes.push(`${read.dealloc - prev.dealloc} evictions since (pg_stat_statements.max reached): re-created entries may be undercounted`);
      }
    }
  } else if (why) notes.push(`${why}: cumulative counters${read.statsReset ? ` since the reset at ${read.statsReset}` : ''} used`);

  const statements = rank(entries, settings, source, skipped);
  if (!statements.length && hidden > 0 && !read.canReadAllTexts) {
    throw new StatsPrivilegeError(
      `${hidden} statements of other roles are hidden from ${read.role} (shown as ${HIDDEN_TEXT}) and none of its own qualify: ` +
        `the index advisor needs to read them. Run ${grant} (PostgreSQL docs, "pg_stat_statements": only roles with privileges of pg_read_all_stats see other users' texts)`,
      { code: '42501' },
    );
  }
  if (hidden > 0) notes.push(`${hidden} statements of other roles are hidden: ${grant}`);
  const snapshot = buildSnapshot(read, entries.filter((e) => e.key).map((e) => ({ key: e.key!, now: counters(e.row), interval: e.use })), hidden ? read.rows.filter((r) => !r.queryid).map(counters) : [], settings.top, now);
  return { statements, skipped, snapshot, source, since, ...(notes.length ? { note: notes.join('; ') } : {}) };
}

/** Why the previous snapshot cannot give an interval, or undefined when it can. */
function intervalProblem(read: StatementsRead, prev: StatementsSnapshot, entries: Entry[], settings: CollectSettings, now: Date): string | undefined {
  if (prev.dbid !== read.dbid) return 'the previous snapshot is of another database';
  const elapsed = now.getTime() - Date.parse(prev.takenAt);
  if (elapsed < 0) return 'the previous snapshot is from the future (clock change?)';
  if (prev.statsReset !== read.statsReset) return `statistics were reset since the previous snapshot (at ${read.statsReset ?? 'an unknown time'})`;
  if (read.dealloc !== null && prev.dealloc !== null && read.dealloc < prev.dealloc) return 'statistics were reset since the previous snapshot (dealloc went down)';
  if (read.statsReset === null) {
    // Before 1.9 there is no stats_reset: a full reset shows as every matched entry going down.
    const matched = entries.filter((e) => e.key && prev.entries[e.key]);
    if (matched.length && matched.every((e) => wentDown(counters(e.row), prev.entries[e.key!]))) return 'statistics were reset since the previous snapshot (every counter went down)';
  }
  if (elapsed < settings.minIntervalMs) return `only ${Math.round(elapsed / 60_000)} min since the previous snapshot (less than ${Math.round(settings.minIntervalMs / 60_000)} min)`;
  return undefined;
}

function intervalCounters(e: Entry, prev: StatementsSnapshot): Counters {
  const cur = counters(e.row);
  const recreated = e.row.statsSince !== null && Date.parse(e.row.statsSince) > Date.parse(prev.takenAt);
  const before = e.key ? prev.entries[e.key] : undefined;
  if (recreated) return cur;
  if (before) return wentDown(cur, before) ? cur : minus(cur, before);
  if (prev.complete || !prev.floor) return cur;
  return minus(cur, prev.floor);
}

/** Merges an entry's top-level and nested rows (same text, same role), applies the thresholds and keeps the top. */
function rank(entries: Entry[], settings: CollectSettings, source: 'interval' | 'cumulative', skipped: SkippedStatement[]): CollectedStatement[] {
  const byStatement = new Map<string, CollectedStatement>();
  for (const { row, use } of entries) {
    const id = `${row.userid}/${row.queryid ?? row.query}`;
    const s = byStatement.get(id) ?? { queryid: row.queryid ?? '', query: row.query!, user: row.user, calls: 0, totalExecMs: 0, meanExecMs: 0, rows: 0, sharedBlksHit: 0, sharedBlksRead: 0, source };
    s.calls += use[0];
    s.totalExecMs += use[1];
    s.rows += use[2];
    s.sharedBlksHit += use[3];
    s.sharedBlksRead += use[4];
    byStatement.set(id, s);
  }
  const kept: CollectedStatement[] = [];
  for (const s of byStatement.values()) {
    s.meanExecMs = s.calls > 0 ? s.totalExecMs / s.calls : 0;
    const skip = (reason: SkippedStatement['reason'], detail: string) => skipped.push({ queryid: s.queryid, query: preview(s.query), reason, detail });
    if (s.calls < settings.minCalls) skip('below-min-calls', `${s.calls} calls (fewer than ${settings.minCalls})`);
    else if (s.meanExecMs < settings.minMeanTimeMs) skip('below-min-mean-time', `${s.meanExecMs.toFixed(3)} ms per call (less than ${settings.minMeanTimeMs} ms)`);
    else kept.push(s);
  }
  kept.sort((a, b) => b.totalExecMs - a.totalExecMs || a.queryid.localeCompare(b.queryid));
  kept.slice(settings.top).forEach((s, i) => skipped.push({ queryid: s.queryid, query: preview(s.query), reason: 'beyond-top', detail: `ranked ${settings.top + i + 1} by total time (top ${settings.top} kept)` }));
  return kept.slice(0, settings.top);
}

// ---------------------------------------------------------------------------------------------
// The snapshot kept between runs (state `memory`): small, JSON, distrusted when read back.

export const SNAPSHOT_VERSION = 1;
/** [calls, totalExecMs, rows, sharedBlksHit, sharedBlksRead]. */
export type Counters = [number, number, number, number, number];

export interface StatementsSnapshot {
  version: typeof SNAPSHOT_VERSION;
  /** ISO time of the run that took it. */
  takenAt: string;
  dbid: number;
  /** pg_stat_statements_info.stats_reset (ISO); null before 1.9. */
  statsReset: string | null;
  dealloc: number | null;
  /** Cumulative counters by `userid/queryid/t|f` (toplevel): the 2×top heaviest, cumulative and in the interval. */
  entries: Record<string, Counters>;
  /** Every rankable entry is in `entries` (so a missing one is new). */
  complete: boolean;
  /** When not complete: the largest counters among those left out (the most a missing entry had). */
  floor?: Counters;
}

const num = z.number().finite().nonnegative();
const countersSchema = z.tuple([num, num, num, num, num]);
const snapshotSchema = z.object({
  version: z.literal(SNAPSHOT_VERSION),
  takenAt: z.string().refine((v) => !Number.isNaN(Date.parse(v)), { message: 'expected an ISO date' }),
  dbid: z.number().int(),
  statsReset: z.string().nullable(),
  dealloc: num.nullable(),
  entries: z.record(z.string(), countersSchema),
  complete: z.boolean(),
  floor: countersSchema.optional(),
});

export const snapshotKey = (userid: number, queryid: string, toplevel: boolean) => `${userid}/${queryid}/${toplevel ? 't' : 'f'}`;

/** A valid snapshot from whatever the state store returned, or why it was thrown away. */
export function readSnapshot(raw: unknown): { snapshot?: StatementsSnapshot; discarded?: string } {
  if (raw === undefined || raw === null) return {};
  const version = (raw as { version?: unknown }).version;
  if (version !== SNAPSHOT_VERSION) return { discarded: `snapshot version ${JSON.stringify(version) ?? 'missing'} is not ${SNAPSHOT_VERSION}` };
  const parsed = snapshotSchema.safeParse(raw);
  if (!parsed.success) return { discarded: `snapshot is malformed at ${parsed.error.issues[0].path.join('.') || '(root)'}` };
  return { snapshot: parsed.data as StatementsSnapshot };
}

/** Rounded down, so a stored total never exceeds the real one (else an idle entry would seem to go down). */
const floor3 = (c: Counters) => c.map((v) => Math.floor(v * 1000) / 1000) as Counters;

function buildSnapshot(read: StatementsRead, entries: { key: string; now: Counters; interval: Counters }[], unkeyed: Counters[], top: number, now: Date): StatementsSnapshot {
  const heaviest = (pick: (e: (typeof entries)[number]) => number) => [...entries].sort((a, b) => pick(b) - pick(a)).slice(0, 2 * top);
  const keep = new Set([...heaviest((e) => e.now[1]), ...heaviest((e) => e.interval[1])].map((e) => e.key));
  const left = [...entries.filter((e) => !keep.has(e.key)).map((e) => e.now), ...unkeyed];
  const snapshot: StatementsSnapshot = {
    version: SNAPSHOT_VERSION,
    takenAt: now.toISOString(),
    dbid: read.dbid,
    statsReset: read.statsReset,
    dealloc: read.dealloc,
    entries: Object.fromEntries(entries.filter((e) => keep.has(e.key)).map((e) => [e.key, floor3(e.now)])),
    complete: left.length === 0,
  };
  if (left.length) snapshot.floor = left.reduce((m, c) => m.map((v, i) => Math.max(v, Math.ceil(c[i]))) as Counters, [0, 0, 0, 0, 0]);
  return snapshot;
}
