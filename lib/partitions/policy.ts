/**
 * A policy as the config wrote it, resolved: the table split into schema and name, every
 * default applied, durations in milliseconds and intervals parsed. Pure.
 */
import { parseDurationMs } from '../config/units';
import { parseQualifiedName } from './ident';
import { isSubDay, parseInterval, PartitionInterval } from './interval';
import { PartitionPolicyError } from './errors';
import { PartitionPolicyConfig, partitionPolicySchema } from './policy-schema';

export type RetentionMode = 'detach' | 'drop' | 'archive';

/** pg_partman's p_premake default (4.x docs: "how many additional partitions to always stay ahead"). */
export const DEFAULT_PREMAKE = 4;
export const DEFAULT_LOCK_TIMEOUT = '2s';
export const DEFAULT_TIMEZONE = 'UTC';

export interface PartitionPolicy {
  /** How the config wrote the table: used in every message about this policy. */
  label: string;
  /** Undefined when written unqualified: resolved through search_path like SQL would. */
  schema?: string;
  table: string;
  column: string;
  interval: PartitionInterval;
  premake: number;
  retention?: PartitionInterval;
  retentionMode: RetentionMode;
  timezone: string;
  naming: string;
  lockTimeoutMs: number;
  moveDefaultRows: boolean;
}

export function defaultNaming(interval: PartitionInterval): string {
  if (interval.kind === 'id') return '{parent}_p{start}';
  return isSubDay(interval) ? '{parent}_p{YYYY}{MM}{DD}_{HH24}{MI}' : '{parent}_p{YYYY}{MM}{DD}';
}

/** Resolves an already schema-validated entry (the config loader ran partitionPolicySchema). */
export function resolvePolicy(config: PartitionPolicyConfig): PartitionPolicy {
  const label = config.table;
  const { schema, name } = parseQualifiedName(config.table);
  const interval = parseInterval(config.interval);
  if (typeof interval === 'string') throw new PartitionPolicyError(label, interval);
  let retention: PartitionInterval | undefined;
  if (config.retention !== undefined) {
    const r = parseInterval(config.retention);
    if (typeof r === 'string') throw new PartitionPolicyError(label, `retention: ${r}`);
    if (r.kind !== interval.kind) {
      throw new PartitionPolicyError(label, interval.kind === 'id'
        ? 'retention of an id policy is a number of ids (e.g. 10000000), not a time interval'
        : 'retention of a time policy is an interval (e.g. "90 days"), not a number');
    }
    retention = r;
  }
  return {
    label,
    schema,
    table: name,
    column: config.column,
    interval,
    premake: config.premake ?? DEFAULT_PREMAKE,
    retention,
    retentionMode: config.retentionMode ?? 'detach',
    timezone: config.timezone ?? DEFAULT_TIMEZONE,
    naming: config.naming ?? defaultNaming(interval),
    lockTimeoutMs: parseDurationMs(config.lockTimeout ?? DEFAULT_LOCK_TIMEOUT)!,
    moveDefaultRows: config.moveDefaultRows ?? false,
  };
}

/** Validates and resolves raw input (tests, on-demand payloads); zod problems become one PartitionPolicyError. */
export function parsePolicy(input: unknown): PartitionPolicy {
  const r = partitionPolicySchema.safeParse(input);
  if (!r.success) {
    const label = typeof (input as { table?: unknown })?.table === 'string' ? (input as { table: string }).table : '(no table)';
    throw new PartitionPolicyError(label, r.error.issues.map((i) => `${i.path.join('.') || '(policy)'}: ${i.message}`).join('; '));
  }
  return resolvePolicy(r.data);
}
