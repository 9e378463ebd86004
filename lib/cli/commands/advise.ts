/** `pgsteward advise`: index recommendations for each target, one JSON document, one exit code. */
import { formatBytes } from '../../config/units';
import type { AdviseReport } from '../../report/types';
import { runAdvise } from '../../runner/advise';
import { parseRunFlags } from '../args';
import { EXIT } from '../exit-codes';
import { ADVISE_HELP } from '../help';
import type { Streams } from '../output';
import { deliveryOptions, runEach, runTargets } from './targets';

export async function adviseCommand(argv: string[], streams: Streams): Promise<number> {
  const flags = parseRunFlags(argv, 'advise');
  if (flags.help) {
    streams.out(ADVISE_HELP);
    return EXIT.OK;
  }
  const { config, targets, alerts } = runTargets(flags);
  const delivery = deliveryOptions(flags, config, alerts, streams);
  return runEach(targets, flags, streams, async (target) => {
    const outcome = await runAdvise(target, {
      ...delivery,
      onProgress: flags.quiet ? undefined : (m) => streams.err(`pgsteward advise ${target.id}: ${m}\n`),
      storageBudgetBytes: flags.storageBudgetBytes,
      whatIf: flags.whatIf,
    });
    return { report: outcome.report, code: outcome.failed || outcome.deliveryFailed ? EXIT.FAILED : EXIT.OK };
  }, summary);
}

function summary(r: AdviseReport): string {
  const lines = [`${r.target}: ${r.recommendations.length} index(es) to create (${formatBytes(r.summary.totalSizeBytes)}), ${r.indexFindings.length} to drop or repair; ${r.summary.analysed} statements analysed, ${r.skipped.length} skipped (${r.durationMs} ms)`];
  for (const x of r.recommendations) lines.push(`  create  ${x.statement.split('\n')[0]}`, `          ${x.explanation}`);
  for (const f of r.indexFindings) lines.push(`  ${f.kind.padEnd(7)} ${f.statement}  — ${f.reason}`);
  for (const e of r.errors) lines.push(`  error (${e.stage}): ${e.message}`);
  if (r.location?.markdown) lines.push(`  report: ${r.location.markdown}`);
  return `${lines.join('\n')}\n`;
}
