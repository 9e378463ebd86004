/**
 * The HTML report of each advisor, rendered from reports of REAL runs (test/support/report-fixtures)
 * and opened in headless Chromium at a phone's width: it loads nothing but itself, logs no error,
 * draws every chart it should with real shapes, keeps the same data in tables, never scrolls
 * sideways at 375 px, keeps body text at 12 px or more, and escapes statement texts. Screenshots
 * land in test/artifacts/ (gitignored) for people to look at.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { renderHtml } from '../../lib/report/html';
import type { AdviseReport, Report } from '../../lib/report/types';
import { launchBrowser } from '../support/browser';
import { useTestDatabase } from '../support/db';
import { adviseFixture, healthFixture, partitionsFixture } from '../support/report-fixtures';

// The page.evaluate callbacks run in the browser; tsconfig has no DOM lib (lib/ runs in Node), so
// the few browser globals they use are declared here, for this file only.
declare const document: any;
declare const NodeFilter: any;
declare function getComputedStyle(el: unknown): any;

const ARTIFACTS = join(__dirname, '../artifacts');
const PHONE = { width: 375, height: 812 };
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchBrowser();
}, 600_000);
afterAll(async () => {
  await browser?.close();
});

interface Opened {
  page: Page;
  requests: string[];
  problems: string[];
  close(): Promise<void>;
}

/** Writes the report's HTML under test/artifacts and opens it at 375 px, recording requests and errors. */
async function open(name: string, report: Report): Promise<Opened> {
  const file = join(ARTIFACTS, `${name}.html`);
  writeFileSync(file, renderHtml(report));
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  return { page, requests, problems, close: () => context.close() };
}

/** What every report must satisfy in the browser; returns nothing, fails the test on a breach. */
async function expectReadable(o: Opened, file: string) {
  expect(o.requests).toEqual([pathToFileURL(file).href]);
  expect(o.problems).toEqual([]);
  const layout = await o.page.evaluate(() => {
    const texts: { tag: string; px: number; text: string }[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement!;
      if (!n.textContent!.trim() || parent.closest('svg')) continue;
      const style = getComputedStyle(parent);
      if (style.display === 'none' || !parent.getClientRects().length) continue;
      texts.push({ tag: parent.tagName, px: parseFloat(style.fontSize), text: n.textContent!.trim().slice(0, 40) });
    }
    return {
      scrollWidth: document.documentElement.scrollWidth,
      lang: document.documentElement.lang,
      h1: document.querySelectorAll('h1').length,
      scripts: document.querySelectorAll('script').length,
      smallest: texts.sort((a, b) => a.px - b.px)[0],
      headersWithoutScope: document.querySelectorAll('th:not([scope])').length,
    };
  });
  expect(layout.scrollWidth).toBeLessThanOrEqual(PHONE.width);
  expect(layout.lang).toBe('en');
  expect(layout.h1).toBe(1);
  expect(layout.scripts).toBe(0);
  expect(layout.headersWithoutScope).toBe(0);
  expect(layout.smallest.px).toBeGreaterThanOrEqual(12);
}

/** The chart is an accessible SVG with shapes, and its figure carries a data table of `rows` rows. */
async function expectChart(page: Page, id: string, rows: number) {
  const chart = await page.evaluate((chartId) => {
    const svg = document.getElementById(chartId);
    if (!svg) return null;
    const labelledBy = (svg.getAttribute('aria-labelledby') ?? '').split(' ').map((x: string) => document.getElementById(x)?.textContent ?? '');
    const box = svg.getBoundingClientRect();
    return {
      tag: svg.tagName.toLowerCase(),
      role: svg.getAttribute('role'),
      label: labelledBy.join(' ').trim(),
      shapes: svg.querySelectorAll('rect, circle, line, path').length,
      width: box.width,
      height: box.height,
      dataRows: svg.closest('figure')?.querySelectorAll('details table tbody tr').length ?? -1,
    };
  }, id);
  expect(chart).not.toBeNull();
  expect(chart).toMatchObject({ tag: 'svg', role: 'img', dataRows: rows });
  expect(chart!.label.length).toBeGreaterThan(10);
  expect(chart!.shapes).toBeGreaterThan(0);
  expect(chart!.width).toBeGreaterThan(300);
  expect(chart!.width).toBeLessThanOrEqual(PHONE.width);
  expect(chart!.height).toBeGreaterThan(50);
}

describe('health report (HTML)', () => {
  const t = useTestDatabase();

  it('shows the critical sequence first and a check × severity grid, readable on a phone', async () => {
    const report = await healthFixture(t);
    expect(report.summary.worst).toBe('critical');
    const o = await open('health', report);
    try {
      await expectReadable(o, join(ARTIFACTS, 'health.html'));
      const checks = new Set(report.findings.map((f) => f.check)).size;
      await expectChart(o.page, 'chart-health-grid', checks);
      // The grid says "critical" in words and counts the sequence finding in that column.
      const grid = await o.page.locator('#chart-health-grid').textContent();
      expect(grid).toMatch(/ok.*unknown.*warning.*critical/);
      const firstRow = await o.page.locator('section:has(h2:text("Needs attention")) tbody tr').first().textContent();
      expect(firstRow).toContain('critical');
      expect(firstRow).toContain('public.invoices_id_seq');
      expect(await o.page.title()).toContain('critical');
    } finally {
      await o.close();
    }
  });
});

describe('advise report (HTML)', () => {
  const t = useTestDatabase();
  let report: AdviseReport;
  beforeAll(async () => {
    report = await adviseFixture(t);
  });

  it('charts top statements, cost before/after and size against benefit; escapes statement texts', async () => {
    expect(report.recommendations.length).toBeGreaterThan(0);
    expect(report.topStatements?.length).toBeGreaterThan(0);
    const o = await open('advise', report);
    try {
      await expectReadable(o, join(ARTIFACTS, 'advise.html'));
      await expectChart(o.page, 'chart-top-statements', report.topStatements!.length);
      await expectChart(o.page, 'chart-cost', report.recommendations.length);
      await expectChart(o.page, 'chart-size-benefit', report.recommendations.length);
      // One bar per top statement, one pair per recommendation, one point per recommendation.
      expect(await o.page.locator('#chart-top-statements .bar-row rect').count()).toBe(report.topStatements!.length);
      expect(await o.page.locator('#chart-cost .pair-row rect').count()).toBe(2 * report.recommendations.length);
      expect(await o.page.locator('#chart-size-benefit circle').count()).toBe(report.recommendations.length);
      // The statement with < and & reads back as written (escaped in the file, text in the page).
      const risky = report.topStatements!.find((s) => s.query.includes('<') && s.query.includes('&'));
      expect(risky).toBeDefined();
      expect(await o.page.locator('details table code', { hasText: risky!.query }).count()).toBe(1);
      // Every recommended statement is on the page, runnable as printed.
      for (const r of report.recommendations) expect(await o.page.locator('pre code', { hasText: r.statement }).count()).toBe(1);
    } finally {
      await o.close();
    }
  });

  it('omits each chart whose data is empty instead of drawing an empty one', async () => {
    const html = renderHtml({ ...report, recommendations: [], topStatements: [] });
    expect(html).not.toContain('<svg');
    expect(html).not.toContain('Where the time goes');
    expect(html).toContain('Nothing to create');
    const older = renderHtml({ ...report, topStatements: undefined });
    expect(older).not.toContain('chart-top-statements');
    expect(older).toContain('id="chart-cost"');
  });
});

describe('partitions report (HTML)', () => {
  const t = useTestDatabase();
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pgsteward-html-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('draws one lane per table with past, current and premade partitions, now and the retention cut-off', async () => {
    const report = await partitionsFixture(t, dir);
    expect(report.tables.map((x) => x.status)).toEqual(['ok', 'ok']);
    expect(report.tables.every((x) => x.axis)).toBe(true);
    expect(report.summary.retired).toBeGreaterThan(0);
    const o = await open('partitions', report);
    try {
      await expectReadable(o, join(ARTIFACTS, 'partitions.html'));
      await expectChart(o.page, 'chart-timeline', report.partitions.length);
      const lanes = o.page.locator('#chart-timeline .lane');
      expect(await lanes.count()).toBe(2);
      const events = lanes.nth(0);
      expect(await events.locator('.lane-label').textContent()).toBe('events');
      // Daily, premake 3: the partition holding now and three after it.
      expect(await events.locator('rect.seg-current').count()).toBe(1);
      expect(await events.locator('rect.seg-future').count()).toBe(3);
      expect(await events.locator('rect.seg-past').count()).toBeGreaterThan(0);
      expect(await events.locator('.marker-now').count()).toBe(1);
      expect(await events.locator('.marker-cutoff').count()).toBe(1);
      const jobs = lanes.nth(1);
      expect(await jobs.locator('.marker-now').textContent()).toBe('largest id');
      expect(await jobs.locator('rect.seg-future').count()).toBe(2);
    } finally {
      await o.close();
    }
  });
});
