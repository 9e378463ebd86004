/** Command-line parsing with node's own parseArgs: strict, so an unknown flag is an error that names it. */
import { parseArgs } from 'node:util';
import { UsageError } from '../errors';
import { parseSizeBytes } from '../config/units';
import type { Advisor } from '../report/types';

export interface RunFlags {
  databaseUrl?: string;
  targets: string[];
  config?: string;
  out?: string;
  state?: string;
  json: boolean;
  checks: string[];
  quiet: boolean;
  /** advise: `--storage-budget 80MB`, in bytes. */
  storageBudgetBytes?: number;
  /** advise: `--what-if hypopg|trial`. */
  whatIf?: 'hypopg' | 'trial';
  /** advise: `--digest`, print the nightly digest's email text on stdout. */
  digest?: boolean;
  /** partitions: `--dry-run`, plan and SQL only. */
  dryRun?: boolean;
}

const RUN_OPTIONS = {
  'database-url': { type: 'string' },
  target: { type: 'string', multiple: true },
  config: { type: 'string', short: 'c' },
  out: { type: 'string', short: 'o' },
  state: { type: 'string' },
  json: { type: 'boolean' },
  checks: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ADVISE_OPTIONS = {
  ...RUN_OPTIONS,
  'storage-budget': { type: 'string' },
  'what-if': { type: 'string' },
  digest: { type: 'boolean' },
} as const;

const PARTITIONS_OPTIONS = {
  ...RUN_OPTIONS,
  'dry-run': { type: 'boolean' },
} as const;

export function parseRunFlags(argv: string[], command: 'health' | 'advise' | 'partitions' = 'health'): RunFlags & { help: boolean } {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options: command === 'advise' ? ADVISE_OPTIONS : command === 'partitions' ? PARTITIONS_OPTIONS : RUN_OPTIONS, allowPositionals: false, strict: true }));
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
  const flags = {
    databaseUrl: values['database-url'] as string | undefined ?? undefined,
    targets: ((values.target as string[] | undefined) ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean),
    config: values.config as string | undefined,
    out: values.out as string | undefined,
    state: values.state as string | undefined,
    json: !!values.json,
    checks: ((values.checks as string | undefined) ?? '').split(',').map((c) => c.trim()).filter(Boolean),
    quiet: !!values.quiet,
    help: !!values.help,
    ...adviseFlags(values),
    ...(command === 'partitions' ? { dryRun: !!values['dry-run'] } : {}),
  };
  if (!flags.help) {
    if (flags.databaseUrl && flags.targets.length) throw new UsageError('give either --database-url or --target, not both');
    if (!flags.databaseUrl && !flags.config) throw new UsageError('say which database: --database-url URL, or --config FILE (with --target ID to pick targets)');
    if (flags.targets.length && !flags.config) throw new UsageError('--target needs --config FILE (the targets are defined there)');
  }
  return flags;
}

function adviseFlags(values: Record<string, unknown>): Pick<RunFlags, 'storageBudgetBytes' | 'whatIf' | 'digest'> {
  const out: Pick<RunFlags, 'storageBudgetBytes' | 'whatIf' | 'digest'> = {};
  if (values.digest) {
    // One document on stdout: the report (--json) or the digest's text, not both.
    if (values.json) throw new UsageError('--digest prints the digest as text on stdout; it cannot be combined with --json');
    out.digest = true;
  }
  const budget = values['storage-budget'] as string | undefined;
  if (budget !== undefined) {
    const bytes = parseSizeBytes(budget);
    if (bytes === undefined) throw new UsageError(`--storage-budget: expected a size such as 80MB or 1GB, got "${budget}"`);
    out.storageBudgetBytes = bytes;
  }
  const whatIf = values['what-if'] as string | undefined;
  if (whatIf !== undefined) {
    if (whatIf !== 'hypopg' && whatIf !== 'trial') throw new UsageError(`--what-if: expected hypopg or trial, got "${whatIf}"`);
    out.whatIf = whatIf;
  }
  return out;
}

export interface ReportsFlags {
  config?: string;
  out?: string;
  to?: string;
  targets: string[];
  advisors: Advisor[];
  open: boolean;
  json: boolean;
  quiet: boolean;
  help: boolean;
}

const REPORTS_OPTIONS = {
  config: { type: 'string', short: 'c' },
  out: { type: 'string', short: 'o' },
  to: { type: 'string' },
  target: { type: 'string', multiple: true },
  advisor: { type: 'string', multiple: true },
  open: { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ADVISORS: readonly Advisor[] = ['health', 'advise', 'partitions'];

export function parseReportsFlags(argv: string[]): ReportsFlags {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options: REPORTS_OPTIONS, allowPositionals: false, strict: true }));
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
  const list = (v: unknown) => ((v as string[] | undefined) ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  const advisors = list(values.advisor);
  const bad = advisors.filter((a) => !ADVISORS.includes(a as Advisor));
  if (bad.length) throw new UsageError(`--advisor: unknown ${bad.join(', ')} (known: ${ADVISORS.join(', ')})`);
  const flags: ReportsFlags = {
    config: values.config as string | undefined,
    out: values.out as string | undefined,
    to: values.to as string | undefined,
    targets: list(values.target),
    advisors: advisors as Advisor[],
    open: !!values.open,
    json: !!values.json,
    quiet: !!values.quiet,
    help: !!values.help,
  };
  if (!flags.help) {
    if (!flags.out && !flags.config) throw new UsageError('say where the reports are: --out DIR (a directory written with --out), or --config FILE (its reports.bucket)');
    if (flags.out && flags.to) throw new UsageError('--to is where reports from S3 are downloaded; with --out DIR they are read in place');
  }
  return flags;
}
