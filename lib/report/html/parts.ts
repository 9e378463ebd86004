/**
 * Building blocks every HTML report shares: the page shell, accessible tables, chart figures with
 * their data, severity badges, and the alert-changes and errors sections. Every argument that is
 * text from a report is escaped here or by the caller with `esc`; `Html` marks already-built markup.
 */
import type { Severity } from '../../health/catalog';
import type { Notification, ReportBase } from '../types';
import { CSS } from './css';
import { esc } from './escape';

/** Markup built by these helpers (never raw report text). */
export type Html = string & { readonly __html?: true };

/**
 * Nothing may load: no script runs (there is none), no style, font or image is fetched. The
 * policy makes that true even if some text escaped escaping.
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export function page(title: string, body: Html[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${esc(title)}</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

export interface Column<T> {
  head: string;
  cell: (row: T) => Html;
  num?: boolean;
  /** Prose (a message, a statement): kept readable-wide on a phone instead of a word a line. */
  text?: boolean;
}

let tableSeq = 0;

/**
 * A real table: caption, column headers with scope=col, the first cell of each row a row header
 * (scope=row). It scrolls inside a focusable region so the page never scrolls sideways.
 */
export function table<T>(caption: string, columns: Column<T>[], rows: T[], opts: { id?: string } = {}): Html {
  const id = opts.id ?? `t${++tableSeq}`;
  const head = columns.map((c) => `<th scope="col"${c.num ? ' class="num"' : ''}>${esc(c.head)}</th>`).join('');
  const body = rows.map((r) => `<tr>${columns.map((c, i) => {
    const cls = c.num ? ' class="num"' : c.text ? ' class="text"' : '';
    return i === 0 ? `<th scope="row"${cls}>${c.cell(r)}</th>` : `<td${cls}>${c.cell(r)}</td>`;
  }).join('')}</tr>`).join('\n');
  return `<div class="scroll" role="region" aria-labelledby="${id}-cap" tabindex="0"><table id="${id}"><caption id="${id}-cap">${esc(caption)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody></table></div>`;
}

/** Resets generated table ids, so one report always renders to the same text. */
export function resetIds(): void {
  tableSeq = 0;
}

/** A chart and the same data as a table in <details>: nothing is only in the picture. '' when there is no chart. */
export function figure(svg: string, caption: string, data: Html): Html {
  if (!svg) return '';
  return `<figure>${svg}<figcaption>${esc(caption)}</figcaption><details><summary>The data as a table</summary>${data}</details></figure>`;
}

export function section(title: string, ...content: Html[]): Html {
  const inner = content.filter(Boolean);
  if (!inner.length) return '';
  return `<section><h2>${esc(title)}</h2>\n${inner.join('\n')}</section>`;
}

/** A severity as a word on its colour (the word carries the meaning; `label` overrides it). */
export function sev(s: Severity, label: string = s): Html {
  return `<span class="sev sev-${s}">${esc(label)}</span>`;
}

export const code = (s: string): Html => `<code>${esc(s)}</code>`;
export const txt = (s: string | number): Html => esc(s);
export const pre = (s: string): Html => `<pre><code>${esc(s)}</code></pre>`;

export function header(title: string, r: ReportBase, lines: Html[]): Html {
  const server = r.server
    ? `${r.server.host}:${r.server.port}/${r.server.database}${r.server.version ? ` (PostgreSQL ${r.server.version}${r.server.inRecovery ? ', standby' : ''})` : ''}`
    : 'unknown server';
  return `<header><h1>${esc(title)}</h1>
<p class="meta">Run ${code(r.runId)} of ${esc(r.advisor)} on target ${code(r.target)} at <time datetime="${esc(r.startedAt)}">${esc(r.startedAt)}</time>, ${esc(server)}, ${esc(r.durationMs)} ms.</p>
${lines.filter(Boolean).join('\n')}</header>`;
}

export function notifications(ns: Notification[]): Html {
  if (!ns.length) return '';
  return section('Alert changes this run', table<Notification>('Alerts that fired, repeated or resolved in this run', [
    { head: 'Check', cell: (n) => code(n.check) },
    { head: 'State', cell: (n) => txt(`${n.state}${n.silenced ? ` (silenced until ${n.silenced.until})` : ''}`) },
    { head: 'Severity', cell: (n) => sev(n.severity) },
    { head: 'Object', cell: (n) => txt(n.object ?? '') },
    { head: 'Why', cell: (n) => txt(n.reason) },
    { head: 'Message', text: true, cell: (n) => txt(n.message) },
  ], ns));
}

export function errors(r: ReportBase): Html {
  if (!r.errors.length) return '';
  return section('Errors', `<ul>${r.errors.map((e) => `<li><strong>${esc(e.stage)}</strong>${e.check ? ` (${code(e.check)})` : ''}: ${esc(e.message)}</li>`).join('')}</ul>`);
}

export function footer(note: Html): Html {
  return `<footer><p>${note} Generated by pgsteward. The same report as JSON and Markdown sits beside this file.</p></footer>`;
}
