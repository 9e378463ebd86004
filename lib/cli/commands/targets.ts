/**
 * What every run command shares: the targets (one from --database-url, or the config's), the
 * delivery options (state dir, report sink, SNS or stderr, logger), and the loop that runs each
 * target, prints its summary, and folds one JSON document and one exit code.
 */
import { formatForConsole } from '../../alert/publish';
import { LocalStateStore } from '../../alert/state-store-local';
import { loadConfigFile } from '../../config/load';
import { AlertSettings, resolveAlerts, resolveTarget, ResolvedTarget, selectTargets, targetIdFromUrl } from '../../config/resolve';
import type { Config } from '../../config/schema';
import { UsageError } from '../../errors';
import type { Advisor, Report } from '../../report/types';
import { sinkFromConfig } from '../../sinks/from-config';
import type { RunFlags } from '../args';
import { EXIT } from '../exit-codes';
import { jsonDocument, stderrLogger, Streams } from '../output';

export function runTargets(flags: RunFlags, advisor?: Advisor): { config: Config; targets: ResolvedTarget[]; alerts: AlertSettings } {
  const config: Config = flags.config ? loadConfigFile(flags.config) : {};
  const targets = flags.databaseUrl
    ? [resolveTarget(config, { id: targetIdFromUrl(flags.databaseUrl), connection: { url: flags.databaseUrl } })]
    : selectTargets(config, flags.targets, advisor);
  if (!targets.length) throw new UsageError(`${flags.config} defines no targets: add some under "targets", or use --database-url`);
  return { config, targets, alerts: resolveAlerts(config) };
}

/** The options every runner takes from the CLI: state under --state, reports under --out or the config's bucket. */
export function deliveryOptions(flags: RunFlags, config: Config, alerts: AlertSettings, streams: Streams) {
  return {
    alerts,
    state: flags.state ? new LocalStateStore(flags.state) : undefined,
    sink: sinkFromConfig(config, { dir: flags.out }),
    sns: alerts.topicArn ? { topicArn: alerts.topicArn, region: alerts.region } : undefined,
    onUnpublished: (ns: Parameters<typeof formatForConsole>[0]) => { if (!flags.quiet) streams.err(formatForConsole(ns)); },
    logger: stderrLogger(streams),
  };
}

/** Runs each target in turn; `run` returns the report and that target's exit code. */
export async function runEach<R extends Report>(
  targets: ResolvedTarget[],
  flags: RunFlags,
  streams: Streams,
  run: (target: ResolvedTarget) => Promise<{ report: R; code: number }>,
  summary: (report: R) => string,
): Promise<number> {
  const reports: R[] = [];
  let code: number = EXIT.OK;
  for (const target of targets) {
    const outcome = await run(target);
    reports.push(outcome.report);
    code = Math.max(code, outcome.code);
    if (!flags.quiet) streams.err(summary(outcome.report));
  }
  if (flags.json) streams.out(jsonDocument(reports, targets.length > 1));
  return code;
}
