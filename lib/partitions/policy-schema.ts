/**
 * One entry of the `partitions` array (of a target or of `defaults`): which range-partitioned
 * table to maintain and how. Strict, so a typo fails with its path. Defaults are applied in
 * ./policy.ts (resolvePolicy) and documented here on each field.
 */
import { z } from 'zod';
import { parseDurationMs } from '../config/units';
import { IdentifierSyntaxError, parseQualifiedName } from './ident';
import { checkPartitionWidth, parseInterval } from './interval';

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const intervalValue = z.union([z.string(), z.number()]);

export const NAMING_PLACEHOLDERS = ['{parent}', '{YYYY}', '{MM}', '{DD}', '{HH24}', '{MI}', '{IYYY}', '{IW}', '{start}'] as const;

export const partitionPolicySchema = z.strictObject({
  /** The natively range-partitioned parent, as SQL names it: `ops.audit_log`, `"Ops"."Audit Log"`. */
  table: z.string().min(1).superRefine((s, ctx) => {
    try {
      parseQualifiedName(s);
    } catch (err) {
      if (!(err instanceof IdentifierSyntaxError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
    }
  }),
  /** The partition key column's catalog name, unquoted and exact (`At`, `created_at`). */
  column: z.string().min(1),
  /** `1 hour` … `1 year` (`1 week`: ISO weeks from Monday; `3 months`: quarters) or an integer id width. */
  interval: intervalValue.superRefine((v, ctx) => {
    const i = parseInterval(v);
    const problem = typeof i === 'string' ? i : checkPartitionWidth(i);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  /** Partitions kept ready after the one holding now (or the current max id). Default 4, as pg_partman's p_premake. */
  premake: z.number().int().min(0).max(1000).optional(),
  /** Partitions whose whole range is older than this (`90 days`), or below max id minus this, are retired. Default: keep all. */
  retention: intervalValue.superRefine((v, ctx) => {
    const i = parseInterval(v);
    if (typeof i === 'string') ctx.addIssue({ code: 'custom', message: i });
  }).optional(),
  /** What retiring does: `detach` (default: the table stays, out of the parent), `drop`, or `archive`. */
  retentionMode: z.enum(['detach', 'drop', 'archive']).optional(),
  /** Zone of day/week/month/year bounds (local midnights, correct across DST). Default `UTC`. */
  timezone: z.string().min(1).refine(isTimeZone, { message: 'unknown time zone (expected an IANA name such as "Europe/Paris")' }).optional(),
  /**
   * Partition name template. Placeholders: {parent} {YYYY} {MM} {DD} {HH24} {MI} {IYYY} {IW} (lower
   * bound, local time) and {start} (ids). Default `{parent}_p{YYYY}{MM}{DD}` from a day up,
   * `{parent}_p{YYYY}{MM}{DD}_{HH24}{MI}` below, `{parent}_p{start}` for ids. Fitted to 63 bytes.
   */
  naming: z.string().min(1).refine((s) => /\{(YYYY|MM|DD|HH24|MI|IYYY|IW|start)\}/.test(s), {
    message: 'a naming template needs at least one of {YYYY} {MM} {DD} {HH24} {MI} {IYYY} {IW} {start}',
  }).refine((s) => !/\{(?!parent\}|YYYY\}|MM\}|DD\}|HH24\}|MI\}|IYYY\}|IW\}|start\})/.test(s), {
    message: `unknown placeholder (known: ${NAMING_PLACEHOLDERS.join(' ')})`,
  }).optional(),
  /** lock_timeout for every DDL statement, so a run fails fast instead of queueing behind the app. Default `2s`. */
  lockTimeout: z.string().refine((s) => parseDurationMs(s) !== undefined, { message: 'expected a duration such as "2s" or "500ms"' }).optional(),
  /** Move rows of a range to create out of the DEFAULT partition (else only reported). Default false. */
  moveDefaultRows: z.boolean().optional(),
});

export type PartitionPolicyInput = z.input<typeof partitionPolicySchema>;
export type PartitionPolicyConfig = z.output<typeof partitionPolicySchema>;
