/** `pgsteward partitions`: keep each target's range-partitioned tables ahead; one JSON document, one exit code. */
import type { PartitionsReport } from '../../report/types';
import { runPartitions } from '../../runner/partitions';
import { parseRunFlags } from '../args';
import { EXIT } from '../exit-codes';
import { PARTITIONS_HELP } from '../help';
import { Streams, summaryWith } from '../output';
import { deliveryOptions, runEach, runTargets } from './targets';
import { archiveDestinationFor } from '../../partitions/archive';
import { makeS3Client } from '../../sinks/s3';

export async function partitionsCommand(argv: string[], streams: Streams): Promise<number> {
  const flags = parseRunFlags(argv, 'partitions');
  if (flags.help) {
    streams.out(PARTITIONS_HELP);
    return EXIT.OK;
  }
  const { config, targets, alerts } = runTargets(flags, 'partitions');
  // Archive mode: the config's archive bucket, else --out DIR/archive (never the reports bucket,
  // whose objects expire).
  const archive = archiveDestinationFor(config.archive, flags.out, () => makeS3Client({ region: config.reports?.region }));
  const delivery = deliveryOptions(flags, config, alerts, streams);
  return runEach(targets, flags, streams, async (target) => {
    if (!target.partitions.length && !flags.quiet) streams.err(`pgsteward partitions ${target.id}: no "partitions" policies configured for this target\n`);
    const outcome = await runPartitions(target, { ...delivery, dryRun: flags.dryRun, archive });
    return { report: outcome.report, code: outcome.failed || outcome.deliveryFailed ? EXIT.FAILED : EXIT.OK };
  }, (r) => summary(r, streams));
}

function summary(r: PartitionsReport, streams: Streams): string {
  const lines: string[] = [];
  for (const t of r.tables) lines.push(`  ${t.status.padEnd(7)} ${t.table}: ${t.partitionsBefore} → ${t.partitionsAfter} partitions${t.error ? ` — ${t.error}` : ''}`);
  for (const a of r.actions) {
    if (r.dryRun) lines.push(`  ${a.action.padEnd(7)} ${a.partition}${a.status === 'skipped' ? ` (skipped: ${a.error})` : ''}`, ...a.sql.split('\n').filter(Boolean).map((l) => `          ${l}`));
    else if (a.status !== 'done') lines.push(`  ${a.action.padEnd(7)} ${a.partition}: ${a.status}${a.error ? ` — ${a.error}` : ''}`);
  }
  for (const f of r.findings) lines.push(`  ${f.severity.padEnd(8)} ${f.check}: ${f.message}`);
  for (const e of r.errors) lines.push(`  error (${e.stage}): ${e.message}`);
  return summaryWith(r, streams, lines);
}
