/**
 * Quiet health runs (lib/runner/health-quiet.ts): a run that finds what the last report found and
 * has nothing to send writes no report until `unchangedReportEvery` has passed; its state still
 * records the run, and the fleet watchdog counts that as the run happening.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStateStore } from '../../lib/alert/state-store-local';
import { parseConfig } from '../../lib/config/load';
import { resolveAlerts, selectTargets } from '../../lib/config/resolve';
import { silentLogger } from '../../lib/log';
import { runFleetSummary } from '../../lib/runner/fleet';
import { runHealth } from '../../lib/runner/health';
import { LocalSink } from '../../lib/sinks/local';
import { useTestDatabase } from '../support/db';

const MIN = 60_000;

describe('quiet health runs', () => {
  const t = useTestDatabase();
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const temp = () => {
    const d = mkdtempSync(join(tmpdir(), 'pgsteward-quiet-'));
    dirs.push(d);
    return d;
  };
  /** Every JSON report file under the sink's dated folders. */
  const reportFiles = (dir: string): string[] => {
    const root = join(dir, 'advisor=health');
    if (!existsSync(root)) return [];
    return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /dt=.*\.json$/.test(f));
  };

  function setup(every?: string) {
    const out = temp();
    const config = parseConfig({
      defaults: { health: { ignore: { replication_slots: ['*'] }, ...(every ? { unchangedReportEvery: every } : {}) } },
      targets: [{ id: 'app', connection: { url: t.stewardUrl } }],
    });
    const [target] = selectTargets(config);
    const state = new LocalStateStore(join(out, 'state'));
    const sink = new LocalSink(out);
    let clock = new Date('2026-11-27T10:00:00Z').getTime();
    const run = (advanceMs = 5 * MIN) => {
      clock += advanceMs;
      const now = () => new Date(clock);
      return runHealth(target, { alerts: resolveAlerts(config), state, sink, logger: silentLogger, now });
    };
    return { out, run, config, state, sink, now: () => new Date(clock), checks: (only: string[]) => only };
  }

  it('writes the first report, stays quiet while the verdicts hold, writes again after an hour or on news', async () => {
    const s = setup();
    const first = await s.run(0);
    expect(first.unchanged).toBeUndefined();
    expect(reportFiles(s.out)).toHaveLength(1);

    const second = await s.run();
    expect(second.unchanged).toBe(true);
    expect(second.report.location).toBeUndefined();
    expect(reportFiles(s.out)).toHaveLength(1);
    // The state records the quiet run.
    const doc = (await s.state.load('health/app')).doc as { updatedAt: string };
    expect(doc.updatedAt).toBe(s.now().toISOString());

    // News: a sequence near its end is a new critical finding, alerted and reported at once.
    await t.admin.query('create sequence quiet_seq as integer');
    await t.admin.query(`select setval('quiet_seq', 2083059138)`);
    t.applyRoleScript();
    const news = await s.run();
    expect(news.unchanged).toBeUndefined();
    expect(news.report.notifications.map((n) => n.check)).toContain('sequences');
    expect(reportFiles(s.out)).toHaveLength(2);

    expect((await s.run()).unchanged).toBe(true);
    // An hour after the last written report, the same verdicts are written again (with their numbers).
    const hourly = await s.run(56 * MIN);
    expect(hourly.unchanged).toBeUndefined();
    expect(reportFiles(s.out)).toHaveLength(3);
    await t.admin.query('drop sequence quiet_seq');
  });

  it('"0s" writes every run', async () => {
    const s = setup('0s');
    await s.run(0);
    const again = await s.run();
    expect(again.unchanged).toBeUndefined();
    expect(reportFiles(s.out)).toHaveLength(2);
  });

  it('the watchdog counts a quiet run as a run: no missed_run while the state keeps being written', async () => {
    const s = setup();
    await s.run(0);
    for (let i = 0; i < 4; i++) expect((await s.run()).unchanged).toBe(true);
    // The newest report is 20 minutes old (four 5-minute periods), but the runs happened.
    const [target] = selectTargets(s.config);
    const summarize = (now: Date) => runFleetSummary({ advisor: 'health', results: [] }, {
      targets: [target],
      schedules: { health: { periodMs: 5 * MIN, enabled: true }, advise: { enabled: false }, partitions: { enabled: false } },
      alerts: resolveAlerts(s.config), sink: s.sink, state: s.state, logger: silentLogger, now: () => now,
    });
    const out = await summarize(s.now());
    expect(out.summary.missedRuns).toBe(0);
    // And when the runs stop, two periods later it is missed.
    const later = await summarize(new Date(s.now().getTime() + 11 * MIN));
    expect(later.summary.missedRuns).toBe(1);
    expect(later.notifications).toContainEqual(expect.objectContaining({ check: 'missed_run', object: 'app/health', state: 'firing' }));
  });
});
