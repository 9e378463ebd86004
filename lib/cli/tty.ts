/**
 * What the terminal on stderr can show: colour or not, and the one-line verdict of a report.
 *
 * Colour: FORCE_COLOR wins (as in Node.js itself: "When FORCE_COLOR is set to a supported value,
 * both the NO_COLOR and NODE_DISABLE_COLORS environment variables are ignored", Node.js CLI docs;
 * `FORCE_COLOR=0` turns it off); then NO_COLOR, present and not empty (https://no-color.org);
 * then TERM=dumb; otherwise only on a terminal.
 */
import type { Severity } from '../health/catalog';
import type { Report } from '../report/types';
import { verdict } from '../report/verdict';

export type Env = Record<string, string | undefined>;

export function colorEnabled(env: Env, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

const COLORS: Record<Severity, string> = { critical: '\x1b[31m', warning: '\x1b[33m', unknown: '\x1b[90m', ok: '\x1b[32m' };
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';
export const MARK: Record<Severity, string> = { ok: '✔', warning: '▲', unknown: '?', critical: '✖' };

export function paintWith(color: boolean, severity: Severity, text: string): string {
  return color ? `${COLORS[severity]}${text}${RESET}` : text;
}

export function dim(color: boolean, text: string): string {
  return color ? `${DIM}${text}${RESET}` : text;
}

/** `✔ health app: OK (14 checks, 230 ms)` / `✖ health app: CRITICAL — 2 critical, 1 warning (14 checks, 230 ms)`. */
export function headline(r: Report, color: boolean): string {
  const v = verdict(r);
  return `${paintWith(color, v.severity, MARK[v.severity])} ${r.advisor} ${r.target}: ${paintWith(color, v.severity, v.text)} ${dim(color, `(${v.scope}, ${r.durationMs} ms)`)}`;
}

/** Where to read the whole report: the HTML when there is one, its history page, the console link. */
export function reportLines(r: Report, color: boolean): string[] {
  const l = r.location;
  if (!l) return [];
  const main = l.html ?? l.markdown ?? l.json;
  return [
    ...(main ? [`  report: ${main}`] : []),
    ...(l.consoleUrl ? [dim(color, `  console: ${l.consoleUrl}`)] : []),
    ...(l.index ? [dim(color, `  history: ${l.index}`)] : []),
  ];
}
