/** `pgsteward advise`: index recommendations for each target, one JSON document, one exit code. */
import { formatBytes } from '../../config/units';
import type { AdviseReport } from '../../report/types';
import { digestEmailText } from '../../digest/message';
import { runAdvise } from '../../runner/advise';
import { parseRunFlags } from '../args';
import { EXIT } from '../exit-codes';
import { ADVISE_HELP } from '../help';
import { Streams, summaryWith } from '../output';
import { progress } from '../progress';
import { deliveryOptions, runEach, runTargets } from './targets';

export async function adviseCommand(argv: string[], streams: Streams): Promise<number> {
  const flags = parseRunFlags(argv, 'advise');
  if (flags.help) {
    streams.out(ADVISE_HELP);
    return EXIT.OK;
  }
  const { config, targets, alerts } = runTargets(flags, 'advise');
  const delivery = deliveryOptions(flags, config, alerts, streams);
  return runEach(targets, flags, streams, async (target) => {
    const p = progress(streams.err, { tty: !!streams.tty, prefix: `pgsteward advise ${target.id}`, columns: streams.columns });
    const outcome = await runAdvise(target, {
      ...delivery,
      onProgress: flags.quiet ? undefined : (m) => p.update(m),
      storageBudgetBytes: flags.storageBudgetBytes,
      whatIf: flags.whatIf,
      digest: flags.digest,
    }).finally(() => p.done());
    if (flags.digest) {
      // What the nightly email would say, compared with the previous report under --out / the bucket.
      const text = outcome.digest ? digestEmailText(outcome.digest) : '';
      if (text) streams.out(`${text}\n`);
      else if (!flags.quiet) streams.err(`pgsteward advise ${target.id}: the digest would have nothing to say\n`);
    }
    return { report: outcome.report, code: outcome.failed || outcome.deliveryFailed ? EXIT.FAILED : EXIT.OK };
  }, (r) => summary(r, streams));
}

function summary(r: AdviseReport, streams: Streams): string {
  const lines = [`  ${formatBytes(r.summary.totalSizeBytes)} of new indexes; ${r.summary.analysed} statements analysed, ${r.skipped.length} skipped`];
  for (const x of r.recommendations) lines.push(`  create  ${x.statement.split('\n')[0]}`, `          ${x.explanation}`);
  for (const f of r.indexFindings) lines.push(`  ${f.kind.padEnd(7)} ${f.statement}  — ${f.reason}`);
  for (const e of r.errors) lines.push(`  error (${e.stage}): ${e.message}`);
  return summaryWith(r, streams, lines);
}
