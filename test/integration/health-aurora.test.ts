/**
 * Aurora detection on a real server: Aurora is recognised by its aurora_version() function. Plain
 * PostgreSQL has none, so a database given a function of that name stands in for Aurora here.
 */
import { useTestDatabase } from '../support/db';
import { findingsOf, runHealth } from '../support/health';

describe('health: Aurora PostgreSQL', () => {
  const t = useTestDatabase();

  it('runs replication_lag on PostgreSQL, and replaces it by an explanation once aurora_version() exists', async () => {
    const plain = await runHealth(t.stewardUrl, {}, ['replication_lag']);
    expect(findingsOf(plain, 'replication_lag')[0].message).not.toContain('Aurora');

    await t.admin.query(`create function public.aurora_version() returns text language sql as $$ select '16.4.0' $$`);
    const aurora = await runHealth(t.stewardUrl, {}, ['replication_lag', 'connections']);
    expect(findingsOf(aurora, 'replication_lag')).toEqual([expect.objectContaining({ severity: 'ok', message: expect.stringContaining('aurora_replica_status()') })]);
    expect(aurora.evaluatedChecks).toEqual(expect.arrayContaining(['replication_lag', 'connections']));
    expect(findingsOf(aurora, 'connections')).toHaveLength(1);
  });
});
