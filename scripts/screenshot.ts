/**
 * docs/img/report.png for the README: runs `pgsteward demo` (a throwaway embedded PostgreSQL with a
 * real workload; nothing to install), renders its advise report as HTML, and photographs the top
 * of it in headless Chromium. Run with `npm run screenshot` (tsx); takes about half a minute.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { main } from '../lib/cli/main';
import { renderHtml } from '../lib/report/html';
import type { AdviseReport, Report } from '../lib/report/types';
import { launchBrowser } from '../test/support/browser';

const OUT = resolve(__dirname, '../docs/img/report.png');
/** A laptop-sized window; the picture shows the report's first screen and a half. */
const VIEWPORT = { width: 1000, height: 1400 };

async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pgsteward-screenshot-'));
  try {
    let stdout = '';
    const code = await main(['demo', '--json', '--out', join(dir, 'reports')], { out: (s) => { stdout += s; }, err: (s) => process.stderr.write(s), color: false });
    if (code !== 0) throw new Error(`pgsteward demo exited ${code}`);
    const { reports } = JSON.parse(stdout) as { reports: Report[] };
    const advice = reports.find((r): r is AdviseReport => r.advisor === 'advise');
    if (!advice?.recommendations.length) throw new Error('the demo produced no advise report with recommendations');
    const html = join(dir, 'advise.html');
    writeFileSync(html, renderHtml(advice));
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: VIEWPORT, colorScheme: 'light', deviceScaleFactor: 1 });
      await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
      mkdirSync(resolve(OUT, '..'), { recursive: true });
      await page.screenshot({ path: OUT });
    } finally {
      await browser.close();
    }
    process.stderr.write(`wrote ${OUT}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

run().catch((err) => {
  process.stderr.write(`screenshot: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
