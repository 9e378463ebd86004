/** Which checks run on Aurora PostgreSQL, and what the skipped ones say instead (pure decision). */
import { adaptForAurora } from '../../lib/health/aurora';
import type { CheckId } from '../../lib/health/catalog';

const enabled = (...ids: CheckId[]) => new Set<CheckId>(ids);

describe('adaptForAurora', () => {
  it('runs every enabled check unchanged on PostgreSQL and RDS for PostgreSQL', () => {
    const all = enabled('replication_lag', 'replication_slots', 'connections');
    expect(adaptForAurora(all, false)).toEqual({ run: all, skipped: [] });
  });

  it('replaces replication_lag on Aurora by an ok finding pointing at aurora_replica_status() and AuroraReplicaLag', () => {
    const out = adaptForAurora(enabled('replication_lag', 'replication_slots', 'connections'), true);
    expect([...out.run].sort()).toEqual(['connections', 'replication_slots']);
    expect(out.skipped).toEqual([expect.objectContaining({ check: 'replication_lag', severity: 'ok', message: expect.stringMatching(/aurora_replica_status\(\).*|AuroraReplicaLag/) })]);
  });

  it('says nothing about a check that was not enabled anyway', () => {
    expect(adaptForAurora(enabled('connections'), true)).toEqual({ run: enabled('connections'), skipped: [] });
  });
});
