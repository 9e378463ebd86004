/**
 * Reading what the digest compares with: the previous advise report and the latest partitions
 * report (through the sink's latest pointer), and the health alerts still firing (state store).
 * Each source is optional: one that cannot be read is logged and left out, so a digest still goes
 * out with what is known.
 */
import type { StateStore } from '../alert/state-store';
import { errorMessage } from '../errors';
import type { Logger } from '../log';
import type { Advisor, AdviseReport, PartitionsReport, ReportBase } from '../report/types';
import type { ReportSink } from '../sinks/types';
import { loadFiringHealth } from './health';
import type { FiringAlert } from './types';

export async function readLatestReport(sink: ReportSink | undefined, advisor: 'advise', target: string, logger: Logger): Promise<AdviseReport | undefined>;
export async function readLatestReport(sink: ReportSink | undefined, advisor: 'partitions', target: string, logger: Logger): Promise<PartitionsReport | undefined>;
export async function readLatestReport(sink: ReportSink | undefined, advisor: Advisor, target: string, logger: Logger): Promise<ReportBase | undefined> {
  if (!sink?.readLatest || !sink.readReport) return undefined;
  try {
    const latest = await sink.readLatest(advisor, target);
    if (!latest) return undefined;
    const report = await sink.readReport(latest.json);
    // A pointer to another advisor's or target's report would compare apples with pears.
    return report && report.advisor === advisor && report.target === target ? report : undefined;
  } catch (err) {
    logger.warn('digest: cannot read the latest report; left out', { advisor, target, error: errorMessage(err) });
    return undefined;
  }
}

export async function readFiringHealth(store: StateStore | undefined, target: string, logger: Logger): Promise<FiringAlert[]> {
  if (!store) return [];
  try {
    return await loadFiringHealth(store, target);
  } catch (err) {
    logger.warn('digest: cannot read the health alert state; left out', { target, error: errorMessage(err) });
    return [];
  }
}
