/**
 * The digest of one advise run, as data (types.ts), from this run's report, the previous one,
 * the latest partitions report and the health alerts still firing. Pure: renderers and the
 * runner do the rest.
 */
import type { AdviseReport, PartitionsReport } from '../report/types';
import { changesSince } from './changes';
import { partitionCoverage } from './partitions';
import { TODO_FIRST, thingsToDo } from './todo';
import type { Digest, FiringAlert } from './types';

export interface DigestSources {
  report: AdviseReport;
  /** The previous advise report of the target, read before this one was written. */
  previous?: AdviseReport;
  partitions?: PartitionsReport;
  health?: FiringAlert[];
  location?: Digest['location'];
}

export function buildDigest(src: DigestSources): Digest {
  const { report } = src;
  const todo = thingsToDo(report);
  const changes = changesSince(report, src.previous);
  return {
    target: report.target,
    runAt: report.startedAt,
    todo: todo.slice(0, TODO_FIRST),
    moreTodo: Math.max(0, todo.length - TODO_FIRST),
    compared: changes.compared,
    applied: changes.applied,
    regressed: changes.regressed,
    newStatements: changes.newStatements,
    ...(src.partitions?.tables.length ? { partitions: { asOf: src.partitions.startedAt, tables: partitionCoverage(src.partitions) } } : {}),
    health: src.health ?? [],
    // What stopped the advisor itself; the lesser run warnings are in the report.
    problems: report.errors.filter((e) => e.stage === 'connect').map((e) => e.message),
    ...(src.location ? { location: src.location } : {}),
  };
}

/**
 * Something to say: a thing to do, a change, a firing health alert, a partition table in trouble
 * or a run that failed. Partition coverage that is all fine is shown, but never sent on its own.
 */
export function hasSomethingToSay(d: Digest): boolean {
  return Boolean(
    d.todo.length || d.applied.length || d.regressed.length || d.newStatements.length || d.health.length || d.problems.length ||
      d.partitions?.tables.some((t) => t.status !== 'ok'),
  );
}
