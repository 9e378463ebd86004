/** `pgsteward health`: the shared run flags, every target in turn, one JSON document, one exit code. */
import { UsageError } from '../../errors';
import { CHECK_IDS } from '../../health/catalog';
import { ServerClaims } from '../../health/servers';
import { runHealth } from '../../runner/health';
import { parseRunFlags } from '../args';
import { EXIT, healthExitCode } from '../exit-codes';
import { HEALTH_HELP } from '../help';
import { healthSummary, Streams } from '../output';
import { deliveryOptions, runEach, runTargets } from './targets';

export async function healthCommand(argv: string[], streams: Streams): Promise<number> {
  const flags = parseRunFlags(argv);
  if (flags.help) {
    streams.out(HEALTH_HELP);
    return EXIT.OK;
  }
  const unknown = flags.checks.filter((c) => !(CHECK_IDS as readonly string[]).includes(c));
  if (unknown.length) throw new UsageError(`unknown check id(s) in --checks: ${unknown.join(', ')} (known: ${CHECK_IDS.join(', ')})`);

  const { config, targets, alerts } = runTargets(flags, 'health');
  const delivery = deliveryOptions(flags, config, alerts, streams);
  // Instance-level checks run once per server: its owner is decided from the whole config, so a
  // run of some targets agrees with the one-invocation-per-target deployment.
  const servers = new ServerClaims(flags.databaseUrl ? targets : config.targets ?? []);
  return runEach(targets, flags, streams, async (target) => {
    const outcome = await runHealth(target, { ...delivery, only: flags.checks, servers });
    return { report: outcome.report, code: Math.max(healthExitCode(outcome.report.summary.worst), outcome.deliveryFailed ? EXIT.FAILED : EXIT.OK) };
  }, (r) => healthSummary(r, streams));
}
