/**
 * Resolution: built-in defaults ← config.defaults ← target, objects merged key by key, arrays
 * (partition policies, disabled checks) replaced. The result is fully typed with no optional
 * knobs left, so no code below this point guesses a default.
 */
import { ConfigError } from '../errors';
import { CHECKS, CHECK_IDS, CheckId, Thresholds } from '../health/catalog';
import { ADVISE_CONFIG_DEFAULTS, ALERT_DEFAULTS, CONNECTION_DEFAULTS, HEALTH_DEFAULTS } from './defaults';
import { Config, ConnectionConfig, TargetConfig } from './schema';
import type { Advisor } from '../report/types';
import { parseDurationMs, parseSizeBytes } from './units';

export interface HealthSettings {
  thresholds: Record<CheckId, Thresholds>;
  disabled: CheckId[];
  ignore: Partial<Record<CheckId, string[]>>;
  redactLiterals: boolean;
  maxSessionsPerCheck: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  /** 0: a report every run. */
  unchangedReportEveryMs: number;
}

export interface AdviseConfigSettings {
  minCalls: number;
  minMeanTimeMs: number;
  top: number;
  minIntervalMs: number;
  /** Undefined: a tenth of the database. */
  storageBudgetBytes?: number;
  maxIndexesPerTable: number;
  whatIf: 'hypopg' | 'trial';
  trialMaxTableBytes: number;
  unusedMinBytes: number;
  minImprovement: number;
  repeatIntervalMs: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
}

export interface ResolvedTarget {
  id: string;
  connection: ConnectionConfig;
  connectTimeoutMs: number;
  health: HealthSettings;
  advise: AdviseConfigSettings;
  partitions: Record<string, unknown>[];
  /** The advisors scheduled runs include this target in (default all three). */
  advisors: Advisor[];
}

export const ALL_ADVISORS: Advisor[] = ['health', 'advise', 'partitions'];

export interface Silence {
  target?: string;
  check?: string;
  object?: string;
  until: string;
  reason: string;
}

export interface AlertSettings {
  topicArn?: string;
  region?: string;
  repeatIntervalMs: number;
  for: number;
  silences: Silence[];
  runbookUrl?: string;
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key; arrays and scalars from `over` replace those in `base`. */
export function mergeDeep<T>(base: T, over: unknown): T {
  if (over === undefined) return base;
  if (!isPlain(base) || !isPlain(over)) return over as T;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? mergeDeep(out[k], v) : v;
  return out as T;
}

export function resolveTarget(config: Config, target: TargetConfig, path = 'target'): ResolvedTarget {
  const health = mergeDeep(mergeDeep(structuredClone(HEALTH_DEFAULTS), config.defaults?.health), target.health);
  checkThresholdOrder(health.thresholds, `${path}.health.thresholds`);
  return {
    id: target.id,
    connection: target.connection,
    connectTimeoutMs: parseDurationMs(target.connection.connectTimeout ?? CONNECTION_DEFAULTS.connectTimeout)!,
    health: {
      thresholds: health.thresholds,
      disabled: health.disabled,
      ignore: health.ignore,
      redactLiterals: health.redactLiterals,
      maxSessionsPerCheck: health.maxSessionsPerCheck,
      statementTimeoutMs: parseDurationMs(health.statementTimeout)!,
      lockTimeoutMs: parseDurationMs(health.lockTimeout)!,
      unchangedReportEveryMs: parseDurationMs(health.unchangedReportEvery)!,
    },
    advise: resolveAdvise(mergeDeep(mergeDeep({ ...ADVISE_CONFIG_DEFAULTS }, config.defaults?.advise), target.advise)),
    partitions: target.partitions ?? config.defaults?.partitions ?? [],
    advisors: target.advisors ?? ALL_ADVISORS,
  };
}

/**
 * The targets a run covers: those named (an unknown name is an error), or all of them that
 * include `advisor` in their `advisors`.
 */
export function selectTargets(config: Config, ids?: string[], advisor?: Advisor): ResolvedTarget[] {
  const all = config.targets ?? [];
  if (ids && ids.length) {
    const known = new Set(all.map((t) => t.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length) {
      throw new ConfigError(unknown.map((id) => `targets: no target with id "${id}" (known: ${[...known].join(', ') || 'none'})`));
    }
  }
  return all
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => (ids?.length ? ids.includes(t.id) : !advisor || (t.advisors ?? ALL_ADVISORS).includes(advisor)))
    .map(({ t, i }) => resolveTarget(config, t, `targets[${i}]`));
}

export function resolveAlerts(config: Config): AlertSettings {
  const a = config.alerts ?? {};
  return {
    topicArn: a.topicArn,
    region: a.region,
    repeatIntervalMs: parseDurationMs(a.repeatInterval ?? ALERT_DEFAULTS.repeatInterval)!,
    for: a.for ?? ALERT_DEFAULTS.for,
    silences: a.silences ?? [],
    ...(a.runbookUrl ? { runbookUrl: a.runbookUrl } : {}),
  };
}

/** A target id for a bare `--database-url` run: stable across runs, so state and reports line up. */
export function targetIdFromUrl(url: string): string {
  try {
    const u = new URL(url);
    const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
    const host = u.hostname || 'local';
    return `${host}-${u.port || 5432}-${db}`.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63) || 'database';
  } catch {
    return 'database';
  }
}

function checkThresholdOrder(thresholds: Record<CheckId, Thresholds>, path: string): void {
  const problems: string[] = [];
  for (const id of CHECK_IDS) {
    const t = thresholds[id];
    if (!t || t.warning === undefined || t.critical === undefined) continue;
    const wrong = CHECKS[id].worse === 'higher' ? t.warning > t.critical : t.warning < t.critical;
    if (wrong) {
      problems.push(`${path}.${id}: warning (${t.warning}) must be ${CHECKS[id].worse === 'higher' ? 'at most' : 'at least'} critical (${t.critical}) for this check`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
}

function resolveAdvise(a: typeof ADVISE_CONFIG_DEFAULTS & { storageBudget?: string }): AdviseConfigSettings {
  return {
    minCalls: a.minCalls,
    minMeanTimeMs: a.minMeanTimeMs,
    top: a.top,
    minIntervalMs: parseDurationMs(a.minInterval)!,
    storageBudgetBytes: a.storageBudget === undefined ? undefined : parseSizeBytes(a.storageBudget),
    maxIndexesPerTable: a.maxIndexesPerTable,
    whatIf: a.whatIf,
    trialMaxTableBytes: parseSizeBytes(a.trialMaxTableSize)!,
    unusedMinBytes: parseSizeBytes(a.unusedMinSize)!,
    minImprovement: a.minImprovement,
    repeatIntervalMs: parseDurationMs(a.repeatInterval)!,
    statementTimeoutMs: parseDurationMs(a.statementTimeout)!,
    lockTimeoutMs: parseDurationMs(a.lockTimeout)!,
  };
}
