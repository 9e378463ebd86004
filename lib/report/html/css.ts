/**
 * The report's only stylesheet, inlined: no fonts, images or files to fetch (the report is opened
 * from S3, mail or a laptop, often offline). System fonts at 16 px with nothing below 13 px
 * (WCAG 1.4.4 asks for text that scales; 12 px is our floor for legibility on phones); colours
 * follow `prefers-color-scheme` with contrast of at least 4.5:1 for text (WCAG 1.4.3); tables
 * scroll inside their own box so the page never scrolls sideways at 375 px; print drops the
 * colours' backgrounds and opens the chart data tables.
 */
export const CSS = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1b1b;--muted:#555;--line:#c9c9c9;--soft:#f3f4f6;
--bar:#2b5fad;--bar-b:#2e7d32;--now:#b3261e;--cut:#6a3fa0;--past:#8aa4cc;--cur:#2b5fad;--fut:#dbe6f7;--exp:#d9d9d9;--hatch:#777;
--ok:#2e7d32;--unknown:#5f6368;--warning:#a35200;--critical:#b3261e;--ok-bg:#e3f1e4;--unknown-bg:#eceff1;--warning-bg:#fdecd9;--critical-bg:#fbe0de;--link:#1a56b8}
@media (prefers-color-scheme:dark){:root{--bg:#15171a;--fg:#e8e8e8;--muted:#b0b0b0;--line:#3d4148;--soft:#1f2227;
--bar:#6c9be8;--bar-b:#68b86d;--now:#ff8a80;--cut:#c5a3f0;--past:#4d6a99;--cur:#6c9be8;--fut:#25324a;--exp:#3a3a3a;--hatch:#999;
--ok:#7cc67f;--unknown:#b0b6bb;--warning:#f0a657;--critical:#ff8a80;--ok-bg:#1d3320;--unknown-bg:#2a2e33;--warning-bg:#3d2a12;--critical-bg:#45201d;--link:#8ab4f8}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;overflow-wrap:break-word}
header,main,footer{max-width:60rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.25rem}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0}
h2{font-size:1.25rem;margin:2rem 0 .5rem;padding-top:.5rem;border-top:1px solid var(--line)}
h3{font-size:1.0625rem;margin:1.5rem 0 .25rem}
p{margin:.5rem 0}
a{color:var(--link)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.875rem}
pre{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:.5rem .75rem;overflow-x:auto;white-space:pre;overflow-wrap:normal}
.meta,.note,footer{color:var(--muted);font-size:.875rem}
.note{border-left:3px solid var(--line);padding-left:.75rem}
.scroll{overflow-x:auto;max-width:100%;margin:.5rem 0}
.scroll:focus{outline:2px solid var(--link)}
table{border-collapse:collapse;font-size:.875rem;min-width:100%}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
thead th{border-bottom-width:2px;white-space:nowrap}
td.text{min-width:15rem}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
caption{text-align:left;font-weight:600;padding:.25rem 0}
.sev{display:inline-block;border-radius:3px;padding:0 .4rem;font-size:.8125rem;font-weight:600;white-space:nowrap}
.sev-ok{color:var(--ok);background:var(--ok-bg)}.sev-unknown{color:var(--unknown);background:var(--unknown-bg)}
.sev-warning{color:var(--warning);background:var(--warning-bg)}.sev-critical{color:var(--critical);background:var(--critical-bg)}
figure{margin:1rem 0}
figcaption{font-size:.875rem;color:var(--muted)}
details{margin:.25rem 0}
summary{cursor:pointer;font-size:.875rem}
svg.chart{display:block;width:100%;height:auto;max-width:32rem}
.chart text{fill:var(--fg);font-family:system-ui,sans-serif;font-size:13px}
.chart text.tick{fill:var(--muted);font-size:12px}
.chart text.head{font-weight:600}
.chart text.inside{fill:#fff}
.chart text.muted{fill:var(--muted)}
.chart .bar,.chart .bar-a{fill:var(--bar)}.chart .bar-b{fill:var(--bar-b)}
.chart .grid{stroke:var(--line);stroke-width:1}
.chart .dot{fill:var(--bar);stroke:var(--bg);stroke-width:2}
.chart .seg-past{fill:var(--past)}.chart .seg-current{fill:var(--cur)}
.chart .seg-future{fill:var(--fut);stroke:var(--cur);stroke-width:1;stroke-dasharray:3 2}
.chart .seg-expired{fill:var(--exp)}.chart .hatch{stroke:var(--hatch);stroke-width:2}
.chart .mark-now{stroke:var(--now);stroke-width:2}.chart .mark-cutoff{stroke:var(--cut);stroke-width:2;stroke-dasharray:4 3}
.chart .cell-empty{fill:none;stroke:var(--line)}
.chart .cell-ok{fill:var(--ok-bg);stroke:var(--ok)}.chart .cell-unknown{fill:var(--unknown-bg);stroke:var(--unknown)}
.chart .cell-warning{fill:var(--warning-bg);stroke:var(--warning)}.chart .cell-critical{fill:var(--critical-bg);stroke:var(--critical)}
.chart .cell-text-ok{fill:var(--ok)}.chart .cell-text-unknown{fill:var(--unknown)}.chart .cell-text-warning{fill:var(--warning)}.chart .cell-text-critical{fill:var(--critical)}
.chart text.value{font-weight:600}
@media (max-width:30rem){h1{font-size:1.3rem}th,td{padding:.3rem .4rem}}
@media print{:root{--bg:#fff;--fg:#000;--muted:#333}body{font-size:11pt}header,main,footer{max-width:none}
a{color:inherit}.scroll{overflow:visible}pre{white-space:pre-wrap;overflow-wrap:anywhere}
details>*{display:block}details::details-content{content-visibility:visible;display:block}
h2,h3,figure,tr{break-inside:avoid}h2,h3{break-after:avoid}}
`.replace(/\n/g, '');
