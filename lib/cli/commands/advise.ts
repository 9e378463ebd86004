/** `pgsteward advise`: index recommendations for each target, one JSON document, one exit code. */
import { formatForConsole } from '../../alert/publish';
import { LocalStateStore } from '../../alert/state-store-local';
import { formatBytes } from '../../config/units';
import type { AdviseReport } from '../../report/types';
import { runAdvise } from '../../runner/advise';
import { sinkFromConfig } from '../../sinks/from-config';
import { parseRunFlags } from '../args';
import { EXIT } from '../exit-codes';
import { ADVISE_HELP } from '../help';
import { jsonDocument, stderrLogger, Streams } from '../output';
import { runTargets } from './targets';

export async function adviseCommand(argv: string[], streams: Streams): Promise<number> {
  const flags = parseRunFlags(argv, 'advise');
  if (flags.help) {
    streams.out(ADVISE_HELP);
    return EXIT.OK;
  }
  const { config, targets, alerts } = runTargets(flags);
  const logger = stderrLogger(streams);
  const sink = sinkFromConfig(config, { dir: flags.out });
  const state = flags.state ? new LocalStateStore(flags.state) : undefined;
  const reports: AdviseReport[] = [];
  let code: number = EXIT.OK;
  for (const target of targets) {
    const outcome = await runAdvise(target, {
      alerts,
      state,
      sink,
      sns: alerts.topicArn ? { topicArn: alerts.topicArn, region: alerts.region } : undefined,
      onUnpublished: (ns) => { if (!flags.quiet) streams.err(formatForConsole(ns)); },
      onProgress: flags.quiet ? undefined : (m) => streams.err(`pgsteward advise ${target.id}: ${m}\n`),
      storageBudgetBytes: flags.storageBudgetBytes,
      whatIf: flags.whatIf,
      logger,
    });
    reports.push(outcome.report);
    code = Math.max(code, outcome.failed || outcome.deliveryFailed ? EXIT.FAILED : EXIT.OK);
    if (!flags.quiet) streams.err(summary(outcome.report));
  }
  if (flags.json) streams.out(jsonDocument(reports, targets.length > 1));
  return code;
}

function summary(r: AdviseReport): string {
  const lines = [`${r.target}: ${r.recommendations.length} index(es) to create (${formatBytes(r.summary.totalSizeBytes)}), ${r.indexFindings.length} to drop or repair; ${r.summary.analysed} statements analysed, ${r.skipped.length} skipped (${r.durationMs} ms)`];
  for (const x of r.recommendations) lines.push(`  create  ${x.statement.split('\n')[0]}`, `          ${x.explanation}`);
  for (const f of r.indexFindings) lines.push(`  ${f.kind.padEnd(7)} ${f.statement}  — ${f.reason}`);
  for (const e of r.errors) lines.push(`  error (${e.stage}): ${e.message}`);
  if (r.location?.markdown) lines.push(`  report: ${r.location.markdown}`);
  return `${lines.join('\n')}\n`;
}
