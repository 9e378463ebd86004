/** `pgsteward health`: the shared run flags, every target in turn, one JSON document, one exit code. */
import { formatForConsole } from '../../alert/publish';
import { LocalStateStore } from '../../alert/state-store-local';
import { UsageError } from '../../errors';
import { CHECK_IDS } from '../../health/catalog';
import type { HealthReport } from '../../report/types';
import { runHealth } from '../../runner/health';
import { sinkFromConfig } from '../../sinks/from-config';
import { parseRunFlags } from '../args';
import { EXIT, healthExitCode } from '../exit-codes';
import { HEALTH_HELP } from '../help';
import { healthSummary, jsonDocument, stderrLogger, Streams } from '../output';
import { runTargets } from './targets';

export async function healthCommand(argv: string[], streams: Streams): Promise<number> {
  const flags = parseRunFlags(argv);
  if (flags.help) {
    streams.out(HEALTH_HELP);
    return EXIT.OK;
  }
  const unknown = flags.checks.filter((c) => !(CHECK_IDS as readonly string[]).includes(c));
  if (unknown.length) throw new UsageError(`unknown check id(s) in --checks: ${unknown.join(', ')} (known: ${CHECK_IDS.join(', ')})`);

  const { config, targets, alerts } = runTargets(flags);
  const logger = stderrLogger(streams);
  const sink = sinkFromConfig(config, { dir: flags.out });
  const state = flags.state ? new LocalStateStore(flags.state) : undefined;
  const reports: HealthReport[] = [];
  let code: number = EXIT.OK;
  for (const target of targets) {
    const outcome = await runHealth(target, {
      alerts,
      state,
      sink,
      sns: alerts.topicArn ? { topicArn: alerts.topicArn, region: alerts.region } : undefined,
      onUnpublished: (ns) => { if (!flags.quiet) streams.err(formatForConsole(ns)); },
      only: flags.checks,
      logger,
    });
    reports.push(outcome.report);
    code = Math.max(code, healthExitCode(outcome.report.summary.worst), outcome.deliveryFailed ? EXIT.FAILED : EXIT.OK);
    if (!flags.quiet) streams.err(healthSummary(outcome.report, streams));
  }
  if (flags.json) streams.out(jsonDocument(reports, targets.length > 1));
  return code;
}
