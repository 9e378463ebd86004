/**
 * `targets/T/index.html`: one target's recent reports across advisors, newest first. A single
 * self-contained file (inline CSS, no scripts, no external fonts or images) so it opens from a
 * local --out directory, from a downloaded copy and from S3 alike; links to reports are relative
 * (../../advisor=…), with an S3 console link beside them when the reports live in a bucket.
 * Every text is HTML-escaped; the table scrolls sideways on a 375 px phone instead of squeezing.
 */
import type { Severity } from '../health/catalog';
import type { Advisor } from '../report/types';
import { HISTORY_PER_ADVISOR, HistoryEntry, TargetHistory } from './history';
import { linkFromIndex, reportFolder } from './layout';

export interface IndexLinks {
  /** An S3 console link for a key relative to the root (S3 sinks only). */
  console?: (key: string) => string;
  /** An S3 console link to a folder (prefix) relative to the root. */
  folder?: (prefix: string) => string;
}

const ADVISORS: Advisor[] = ['health', 'advise', 'partitions'];
const MARK: Record<Severity, string> = { ok: '✔', warning: '▲', unknown: '?', critical: '✖' };

const CSS = `
:root{color-scheme:light dark;--ok:#1a7f37;--warning:#9a6700;--critical:#cf222e;--unknown:#6e7781;--line:#d0d7de}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;padding:12px;max-width:1100px}
h1{font-size:1.3em;margin:.2em 0 .4em;overflow-wrap:anywhere}
.latest{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 12px;padding:0;list-style:none}
.latest li{border:1px solid var(--line);border-radius:6px;padding:6px 10px;flex:1 1 220px}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;min-width:560px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;white-space:nowrap}
caption{text-align:left;font-weight:600;padding:4px 0}
td.when{white-space:nowrap;font-variant-numeric:tabular-nums}
.sev{font-weight:600;white-space:nowrap}
.ok{color:var(--ok)}.warning{color:var(--warning)}.critical{color:var(--critical)}.unknown{color:var(--unknown)}
a{overflow-wrap:anywhere}
footer{margin-top:12px;font-size:.9em;color:var(--unknown)}
`;

export function renderIndexHtml(h: TargetHistory, links: IndexLinks = {}): string {
  const latest = ADVISORS.map((a) => h.entries.find((e) => e.advisor === a)).filter((e): e is HistoryEntry => !!e);
  const rows = h.entries.map((e) => row(e, links)).join('\n');
  const older = ADVISORS.map((a) => {
    const folder = reportFolder(a, h.target);
    const href = links.folder ? links.folder(folder) : linkFromIndex(folder);
    return `<a href="${attr(href)}">${esc(a)}</a>`;
  }).join(' · ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>pgsteward reports: ${esc(h.target)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>pgsteward reports: ${esc(h.target)}</h1>
<ul class="latest">
${latest.map((e) => `<li><strong>${esc(e.advisor)}</strong> ${badge(e)}<br><small>${esc(when(e.startedAt))} · ${open(e)}</small></li>`).join('\n') || '<li>No reports yet.</li>'}
</ul>
<div class="scroll">
<table>
<caption>Reports, newest first</caption>
<thead><tr><th scope="col">When (UTC)</th><th scope="col">Advisor</th><th scope="col">Verdict</th><th scope="col">Took</th><th scope="col">Files</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</div>
<footer>The last ${HISTORY_PER_ADVISOR} reports of each advisor are listed; older ones are in the dated folders (${older}). Updated ${esc(when(h.updatedAt))} UTC.</footer>
</body>
</html>
`;
}

function row(e: HistoryEntry, links: IndexLinks): string {
  const files = [
    e.html ? link(e.html, 'HTML') : '',
    link(e.markdown, 'Markdown'),
    link(e.json, 'JSON'),
    links.console ? `<a href="${attr(links.console(e.html ?? e.json))}">console</a>` : '',
  ].filter(Boolean).join(' · ');
  return `<tr><td class="when">${esc(when(e.startedAt))}</td><td>${esc(e.advisor)}</td><td>${badge(e)}</td><td>${Number(e.durationMs) || 0} ms</td><td>${files}</td></tr>`;
}

/** The history file is data we read back: never trust its severity as a class name. */
function badge(e: HistoryEntry): string {
  const sev: Severity = Object.hasOwn(MARK, e.severity) ? e.severity : 'unknown';
  return `<span class="sev ${sev}">${MARK[sev]} ${esc(e.verdict)}</span>`;
}

function open(e: HistoryEntry): string {
  return link(e.html ?? e.markdown, 'open');
}

function link(key: string, label: string): string {
  return `<a href="${attr(linkFromIndex(key))}">${esc(label)}</a>`;
}

/** `2024-06-01 10:00:05` (UTC): sortable, and the same for every reader whatever their zone. */
function when(iso: string): string {
  return iso.slice(0, 19).replace('T', ' ');
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function attr(s: string): string {
  return esc(s);
}
