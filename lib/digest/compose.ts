/**
 * What the advise runner hands to deliver(): reads the other sources of the digest (latest
 * partitions report, health alerts still firing) and returns the function that turns the
 * finished report, once written, into the digest's SNS message.
 */
import type { SnsMessage, MessageInput } from '../alert/message';
import type { StateStore } from '../alert/state-store';
import type { Logger } from '../log';
import type { AdviseReport, Report } from '../report/types';
import type { ReportSink } from '../sinks/types';
import { buildDigest } from './build';
import { readFiringHealth, readLatestReport } from './gather';
import { digestMessages } from './message';
import type { Digest } from './types';

export interface DigestDeps {
  sink?: ReportSink;
  state?: StateStore;
  logger: Logger;
}

export interface PreparedDigest {
  /** For deliver(): the digest's SNS message, once the report is written. */
  compose: (report: Report, where: MessageInput['report']) => SnsMessage[];
  /** The digest itself, for a preview (`pgsteward advise --digest`). */
  build: (report: AdviseReport, where: MessageInput['report']) => Digest;
}

export async function prepareDigest(deps: DigestDeps, target: string, previous: AdviseReport | undefined): Promise<PreparedDigest> {
  const [partitions, health] = await Promise.all([readLatestReport(deps.sink, 'partitions', target, deps.logger), readFiringHealth(deps.state, target, deps.logger)]);
  const build = (report: AdviseReport, where: MessageInput['report']) => buildDigest({ report, previous, partitions, health, location: where });
  return { build, compose: (report, where) => (report.advisor === 'advise' ? digestMessages(build(report, where)) : []) };
}
