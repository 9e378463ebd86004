/** Turns zod issues into one line per problem, each naming the full path of the bad field. */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

export function formatPath(path: ReadonlyArray<PropertyKey>, root = ''): string {
  let out = root;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

export function formatIssues(issues: ReadonlyArray<Issue>, root = '', base: ReadonlyArray<PropertyKey> = []): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${formatPath([...path, key], root)}: unknown field`);
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the alternative that came closest (fewest problems), not every branch.
      const best = [...issue.errors].sort((a, b) => score(a) - score(b))[0];
      lines.push(...formatIssues(best, root, path));
    } else {
      lines.push(`${formatPath(path, root)}: ${issue.message}`);
    }
  }
  return [...new Set(lines)];
}

/** Fewer issues, and issues deeper in the object, mean the user probably meant that branch. */
function score(issues: ReadonlyArray<Issue>): number {
  const unknownKeys = issues.filter((i) => i.code === 'unrecognized_keys').length;
  return issues.length * 10 + unknownKeys * 5 - Math.max(0, ...issues.map((i) => i.path.length));
}
