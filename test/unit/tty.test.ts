/** The terminal: colour decisions, the verdict line with and without colour, progress on and off a terminal. */
import type { HealthReport } from '../../lib/report/types';
import { openerCommand } from '../../lib/cli/open';
import { progress } from '../../lib/cli/progress';
import { colorEnabled, headline, reportLines } from '../../lib/cli/tty';

const report = (worst: HealthReport['summary']['worst']): HealthReport => ({
  schemaVersion: 1, advisor: 'health', target: 'app-db', runId: 'r1', startedAt: '2024-06-01T10:00:00.000Z', durationMs: 230,
  findings: [
    { check: 'connections', severity: worst, message: 'm' },
    { check: 'sequences', severity: worst === 'ok' ? 'ok' : 'warning', message: 'm' },
  ] as HealthReport['findings'],
  summary: { worst, counts: { ok: worst === 'ok' ? 2 : 0, warning: worst === 'ok' ? 0 : 1, critical: worst === 'critical' ? 1 : 0, unknown: 0 } },
  statements: 4, notifications: [], errors: [],
  location: { html: '/r/a.html', markdown: '/r/a.md', json: '/r/a.json', index: '/r/targets/app-db/index.html' },
});

describe('colorEnabled', () => {
  it('follows the terminal by default, and TERM=dumb turns it off', () => {
    expect(colorEnabled({}, true)).toBe(true);
    expect(colorEnabled({}, false)).toBe(false);
    expect(colorEnabled({ TERM: 'dumb' }, true)).toBe(false);
  });
  it('honours NO_COLOR when present and not empty', () => {
    expect(colorEnabled({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '' }, true)).toBe(true);
  });
  it('lets FORCE_COLOR win over NO_COLOR and a pipe, and FORCE_COLOR=0 turn colour off', () => {
    expect(colorEnabled({ FORCE_COLOR: '1', NO_COLOR: '1' }, false)).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: '' }, false)).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: '0' }, true)).toBe(false);
  });
});

describe('headline', () => {
  it('is plain text without colour', () => {
    expect(headline(report('ok'), false)).toBe('✔ health app-db: OK (2 checks, 230 ms)');
    expect(headline(report('critical'), false)).toBe('✖ health app-db: CRITICAL — 1 critical, 1 warning (2 checks, 230 ms)');
  });
  it('colours the mark and the verdict by severity, and dims the figures', () => {
    const line = headline(report('critical'), true);
    expect(line).toBe('\x1b[31m✖\x1b[0m health app-db: \x1b[31mCRITICAL — 1 critical, 1 warning\x1b[0m \x1b[2m(2 checks, 230 ms)\x1b[0m');
    expect(line.replace(/\x1b\[\d+m/g, '')).toBe(headline(report('critical'), false));
  });
  it('points at the HTML report and the history page', () => {
    expect(reportLines(report('ok'), false)).toEqual(['  report: /r/a.html', '  history: /r/targets/app-db/index.html']);
  });
});

describe('progress', () => {
  it('writes one plain line per message off a terminal, and nothing on done', () => {
    const out: string[] = [];
    const p = progress((s) => out.push(s), { tty: false, prefix: 'pgsteward advise app' });
    p.update('collecting statements');
    p.update('planning 12 statements');
    p.done();
    expect(out).toEqual(['pgsteward advise app: collecting statements\n', 'pgsteward advise app: planning 12 statements\n']);
  });
  it('rewrites one line on a terminal, never wider than it, and clears it when done', () => {
    jest.useFakeTimers();
    const out: string[] = [];
    const p = progress((s) => out.push(s), { tty: true, prefix: 'adv', columns: 30 });
    p.update(`planning ${'x'.repeat(100)}`);
    jest.advanceTimersByTime(200);
    p.done();
    const frames = out.slice(0, -1);
    expect(frames.length).toBeGreaterThanOrEqual(3);
    for (const f of frames) {
      expect(f.startsWith('\r\x1b[2K')).toBe(true);
      expect(f).not.toContain('\n');
      expect(f.length - '\r\x1b[2K'.length).toBeLessThanOrEqual(29);
    }
    expect(out.at(-1)).toBe('\r\x1b[2K');
    jest.advanceTimersByTime(500);
    expect(out.length).toBe(frames.length + 1);
    jest.useRealTimers();
  });
});

describe('openerCommand', () => {
  it('uses $BROWSER (with %s when given), else open on macOS and xdg-open elsewhere', () => {
    expect(openerCommand('/f.html', { BROWSER: 'firefox --new-tab' }, 'linux')).toEqual(['firefox', '--new-tab', '/f.html']);
    expect(openerCommand('/f.html', { BROWSER: 'w3m %s:lynx' }, 'linux')).toEqual(['w3m', '/f.html']);
    expect(openerCommand('/f.html', {}, 'darwin')).toEqual(['open', '/f.html']);
    expect(openerCommand('/f.html', {}, 'linux')).toEqual(['xdg-open', '/f.html']);
  });
});
