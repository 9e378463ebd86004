/**
 * `pgsteward health` end to end against a real database: exit codes, the --json document,
 * reports under --out, and alerts that page once with --state.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { useTestDatabase } from '../support/db';
import { cli } from '../support/cli';

const schema = JSON.parse(readFileSync(join(__dirname, '../../docs/report.schema.json'), 'utf8'));
const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(schema);

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
}

describe('pgsteward health (CLI)', () => {
  const t = useTestDatabase();
  let dir: string;
  let configFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pgsteward-cli-'));
    configFile = join(dir, 'config.json');
    // Replication slots are server-wide: ignore those other test files create.
    writeFileSync(configFile, JSON.stringify({
      defaults: { health: { ignore: { replication_slots: ['pgsteward_test_*'] } } },
      targets: [{ id: 'app', connection: { url: t.stewardUrl } }],
    }));
    await t.admin.query(`create table invoices (id serial primary key, total numeric)`);
    t.applyRoleScript();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 on a healthy database and prints one JSON report that matches the schema', async () => {
    const r = await cli('health', '--config', configFile, '--json');
    expect(r.stderr).toContain('app: OK');
    const report = r.json();
    expect(validate(report)).toBe(true);
    expect(report).toMatchObject({ schemaVersion: 1, advisor: 'health', target: 'app', summary: { worst: 'ok' } });
    expect(report.statements).toBeLessThan(20);
    expect(r.code).toBe(0);
  });

  it('exits 2 on a critical finding, lists it as a new notification, and writes JSON + Markdown under --out', async () => {
    await t.admin.query(`select setval('invoices_id_seq', 2100000000)`);
    const out = join(dir, 'reports');
    const r = await cli('health', '--config', configFile, '--json', '--out', out);
    expect(r.code).toBe(2);
    const report = r.json();
    expect(report.findings).toContainEqual(expect.objectContaining({ check: 'sequences', severity: 'critical', object: 'public.invoices_id_seq' }));
    expect(report.notifications).toContainEqual(expect.objectContaining({ key: 'app|sequences|public.invoices_id_seq', state: 'firing', reason: 'new', severity: 'critical' }));
    expect(r.stderr).toMatch(/critical\s+sequences \[public\.invoices_id_seq\]/);
    const written = files(out);
    expect(written.filter((f) => /advisor=health\/target=app\/dt=\d{4}-\d{2}-\d{2}\/.+\.json$/.test(f))).toHaveLength(1);
    const md = readFileSync(written.find((f) => f.endsWith('.md'))!, 'utf8');
    expect(md).toContain('# Health of app: CRITICAL');
    expect(md).toContain('invoices_id_seq');
    expect(JSON.parse(readFileSync(written.find((f) => f.endsWith('.json'))!, 'utf8'))).toMatchObject({ runId: report.runId });
    await t.admin.query(`select setval('invoices_id_seq', 1)`);
  });

  it('with --state notifies once, stays quiet while unchanged, and resolves once', async () => {
    const state = join(dir, 'state');
    await t.admin.query(`select setval('invoices_id_seq', 2100000000)`);
    const first = (await cli('health', '--config', configFile, '--json', '--state', state)).json();
    expect(first.notifications.map((n: any) => [n.check, n.reason])).toEqual([['sequences', 'new']]);
    const second = await cli('health', '--config', configFile, '--json', '--state', state);
    expect(second.code).toBe(2);
    expect(second.json().notifications).toEqual([]);
    await t.admin.query(`select setval('invoices_id_seq', 1)`);
    const third = await cli('health', '--config', configFile, '--json', '--state', state);
    expect(third.code).toBe(0);
    expect(third.json().notifications).toEqual([expect.objectContaining({ check: 'sequences', state: 'resolved', reason: 'resolved' })]);
    expect((await cli('health', '--config', configFile, '--json', '--state', state)).json().notifications).toEqual([]);
  });

  it('an unreachable database is a critical connection finding with a report and an alert (exit 2)', async () => {
    const out = join(dir, 'down');
    const r = await cli('health', '--database-url', 'postgres://pgsteward:x@127.0.0.1:1/nowhere', '--json', '--out', out);
    expect(r.code).toBe(2);
    const report = r.json();
    expect(report.findings).toEqual([expect.objectContaining({ check: 'connection', severity: 'critical', message: expect.stringContaining('Cannot connect') })]);
    expect(report.notifications).toEqual([expect.objectContaining({ check: 'connection', reason: 'new' })]);
    // JSON + Markdown + HTML in the dated folder; the latest pointer and the history page beside it.
    expect(files(out).filter((f) => f.includes('/dt=')).length).toBe(3);
    expect(files(out).filter((f) => /latest\.json$|history\.json$|index\.html$/.test(f)).length).toBe(3);
    expect(r.stderr).toContain('connection');
  });

  it('a config with a typo exits 3 naming the field', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ targets: [{ id: 'x', connection: { url: t.stewardUrl }, health: { thresholds: { conections: { warning: 1 } } } }] }));
    const r = await cli('health', '--config', bad);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('targets[0].health.thresholds.conections: unknown field');
    const v = await cli('config', 'validate', bad);
    expect(v.code).toBe(3);
    expect((await cli('config', 'validate', configFile)).code).toBe(0);
  });

  it('bad arguments exit 3 with a pointer to --help; --help and --version exit 0', async () => {
    const r = await cli('health', '--database-url', t.stewardUrl, '--bogus');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/bogus/);
    expect(r.stderr).toContain("pgsteward health --help");
    expect((await cli('health', '--checks', 'nope', '--database-url', t.stewardUrl)).stderr).toContain('unknown check id(s) in --checks: nope');
    const help = await cli('health', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes');
    expect((await cli('--version')).stdout).toMatch(/^pgsteward \d+\.\d+\.\d+/);
    expect((await cli('config', '--help')).code).toBe(0);
  });

  it('--checks runs only the named checks', async () => {
    const r = await cli('health', '--database-url', t.stewardUrl, '--checks', 'connections,sequences', '--json');
    expect(new Set(r.json().findings.map((f: any) => f.check))).toEqual(new Set(['connections', 'sequences']));
  });
});
