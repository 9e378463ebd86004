/**
 * `pgsteward reports` over reports written by real runs (`health`, `partitions` against the test
 * cluster): from a directory written with --out, and from an S3 bucket (s3rver) downloaded to a
 * local folder and opened through $BROWSER (a script that records its argument). The CLI connects
 * as the restricted role of sql/roles.sql, a member of the partitioned table's owner role
 * (`GRANT <owner_role> TO pgsteward`, test/support/owner.ts), as on a managed service.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';
import { useTestDatabase } from '../support/db';
import { useOwnerRole } from '../support/owner';
import { LocalS3, startS3 } from '../support/s3';

const waitFor = async (p: () => boolean, ms = 5000) => {
  for (const end = Date.now() + ms; !p() && Date.now() < end;) await new Promise((r) => setTimeout(r, 25));
};

describe('pgsteward reports (CLI)', () => {
  const t = useTestDatabase();
  const owner = useOwnerRole(t);
  let dir: string;
  let s3: LocalS3;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, browser: process.env.BROWSER };
  const config = (file: string, extra: object) => {
    writeFileSync(join(dir, file), JSON.stringify({
      defaults: { health: { ignore: { replication_slots: ['pgsteward_test_*'] } } },
      targets: [{ id: 'app', connection: { url: t.stewardUrl }, partitions: [{ table: 'public.events', column: 'at', interval: '1 day', premake: 2 }] }],
      ...extra,
    }));
    return join(dir, file);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pgsteward-cli-reports-'));
    s3 = await startS3({ buckets: ['reports'] });
    // The user's own credentials, as the SDK's default chain finds them (s3rver's fixed pair).
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    await t.admin.query('create table events (id bigint, at timestamptz not null) partition by range (at)');
    await owner.adopt();
    // What a user does after creating objects (README), so pgsteward can read them.
    t.applyRoleScript();
  });

  afterAll(async () => {
    for (const [k, v] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret], ['BROWSER', saved.browser]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the latest health and partitions reports of a --out directory, with pure JSON on stdout', async () => {
    const out = join(dir, 'out');
    const cfg = config('dir.json', {});
    const health = await cli('health', '-c', cfg, '--out', out, '--json');
    expect(health.stderr).toMatch(/^✔ health app: OK \(\d+ checks, \d+ ms\)$/m);
    expect(health.stderr).toMatch(/^ {2}report: .+\.html$/m);
    const first = health.json();
    const second = (await cli('health', '-c', cfg, '--out', out, '--json')).json();
    expect((await cli('partitions', '-c', cfg, '--out', out)).code).toBe(0);

    const r = await cli('reports', '--out', out, '--json');

    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc.reports.map((x: any) => [x.advisor, x.target])).toEqual([['health', 'app'], ['partitions', 'app']]);
    const h = doc.reports[0];
    expect(h).toMatchObject({ runId: second.runId, severity: 'ok', verdict: expect.stringContaining('OK') });
    expect(h.runId).not.toBe(first.runId);
    expect(readFileSync(h.files.html, 'utf8')).toMatch(/<html/i);
    expect(readFileSync(h.files.markdown, 'utf8')).toContain('# Health of app');
    expect(doc.reports[1].verdict).toMatch(/\d+ created/);
    const index = readFileSync(h.index, 'utf8');
    expect(index).toContain(`${second.runId}.html`);
    expect(index).toContain(`${first.runId}.html`);
    expect(r.stderr).toMatch(/✔ health app .+ OK/);
  });

  it('downloads the latest HTML from the bucket and opens it with $BROWSER', async () => {
    const cfg = config('s3.json', { reports: { bucket: 'reports', prefix: 'pgsteward/', endpoint: s3.endpoint, region: 'us-east-1' } });
    const run = await cli('health', '-c', cfg, '--json');
    expect(run.code).toBe(0);
    expect(run.json().location.html).toMatch(/^s3:\/\/reports\/pgsteward\/advisor=health\/target=app\/.+\.html$/);
    await cli('partitions', '-c', cfg);
    const record = join(dir, 'opened.txt');
    const browser = join(dir, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${record}'\n`);
    chmodSync(browser, 0o755);
    process.env.BROWSER = browser;
    const to = join(dir, 'downloaded');

    const r = await cli('reports', '-c', cfg, '--advisor', 'health', '--to', to, '--open', '--json');

    expect(r.code).toBe(0);
    const [listed] = r.json().reports;
    expect(r.json().reports).toHaveLength(1);
    expect(listed.source).toBe(run.json().location.json);
    expect(listed.files.html).toBe(join(to, listed.files.html.slice(to.length + 1)));
    expect(listed.files.html.startsWith(`${to}/advisor=health/target=app/dt=`)).toBe(true);
    expect(readFileSync(listed.files.html, 'utf8')).toMatch(/<html/i);
    expect(existsSync(join(to, 'targets/app/index.html'))).toBe(true);
    expect(listed.consoleUrl).toContain('console.aws.amazon.com/s3/object/reports');
    await waitFor(() => existsSync(record));
    expect(readFileSync(record, 'utf8').trim()).toBe(listed.files.html);
  });

  it('exits 1 when there is nothing to list, and 3 on bad arguments', async () => {
    const empty = join(dir, 'empty');
    const none = await cli('reports', '--out', empty);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no reports found');
    const bad = await cli('reports', '--out', empty, '--advisor', 'vacuum');
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('--advisor: unknown vacuum');
    expect((await cli('reports')).code).toBe(3);
    const help = await cli('reports', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
  });
});
