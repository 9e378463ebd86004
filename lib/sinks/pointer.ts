/** Reading latest pointers back: parsing them strictly, and finding them without listing reports. */
import { PgstewardError } from '../errors';
import type { Advisor } from '../report/types';
import { reportFolder } from './layout';
import type { LatestFilter, LatestPointer } from './types';

export const ADVISORS: readonly Advisor[] = ['health', 'advise', 'partitions'];

export function parsePointer(text: string, where: string): LatestPointer {
  let doc: Partial<LatestPointer>;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new PgstewardError(`${where} is not JSON: ${(err as Error).message}`);
  }
  const ok = doc && doc.schemaVersion === 1 && ADVISORS.includes(doc.advisor as Advisor)
    && typeof doc.target === 'string' && typeof doc.startedAt === 'string' && typeof doc.json === 'string';
  if (!ok) throw new PgstewardError(`${where} is not a pgsteward latest pointer (schemaVersion 1)`);
  return doc as LatestPointer;
}

/**
 * The `advisor=X/target=T/` folders that may hold a latest.json: named directly when the filter
 * names targets, else the targets of each advisor found with one delimiter listing in S3 (readdir
 * on disk), never by listing the reports themselves.
 */
export async function pointerFolders(filter: LatestFilter, listFolders: (prefix: string) => Promise<string[]>): Promise<string[]> {
  // The advisors are a fixed set: naming them saves a listing of the root.
  const advisors = filter.advisors?.length ? filter.advisors : ADVISORS;
  const out: string[] = [];
  for (const advisor of [...advisors].sort((a, b) => ADVISORS.indexOf(a) - ADVISORS.indexOf(b))) {
    if (filter.targets?.length) {
      out.push(...filter.targets.map((t) => reportFolder(advisor, t)));
    } else {
      const prefix = `advisor=${advisor}/`;
      out.push(...(await listFolders(prefix)).filter((f) => f.startsWith(`${prefix}target=`)).sort());
    }
  }
  return out;
}
