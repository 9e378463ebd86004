import { emptyState, migrateState, StateDoc } from '../../lib/alert/state';

const valid: StateDoc = {
  version: 1,
  advisor: 'health',
  target: 'prod-db',
  updatedAt: '2024-06-01T10:00:00.000Z',
  alerts: {
    'prod-db|connections|': {
      target: 'prod-db',
      check: 'connections',
      severity: 'warning',
      message: 'Connections 85%',
      pendingRuns: 2,
      firstSeenAt: '2024-06-01T09:00:00.000Z',
      firingSince: '2024-06-01T09:00:00.000Z',
      lastNotifiedAt: '2024-06-01T09:00:00.000Z',
      lastNotifiedSeverity: 'warning',
      lastSeenAt: '2024-06-01T10:00:00.000Z',
    },
  },
  memory: { cache_hit_ratio: { hit: '123', read: '4' } },
};

describe('migrateState', () => {
  it('keeps a valid v1 document for the same advisor and target as it is', () => {
    expect(migrateState(structuredClone(valid), 'health', 'prod-db')).toEqual({ doc: valid });
  });

  it('accepts the raw JSON text too', () => {
    expect(migrateState(JSON.stringify(valid), 'health', 'prod-db')).toEqual({ doc: valid });
  });

  it('starts empty, without complaint, when there is no document', () => {
    expect(migrateState(undefined, 'health', 'prod-db')).toEqual({ doc: emptyState('health', 'prod-db') });
  });

  it.each([
    ['text that is not JSON', '{"version": 1, "alerts": {', /not valid JSON/],
    ['a JSON array', [1, 2], /not a JSON object/],
    ['another version', { ...valid, version: 2 }, /version 2 is not 1/],
    ['no version at all', { alerts: {} }, /version missing is not 1/],
    ['another target', { ...valid, target: 'other-db' }, /belongs to health\/other-db/],
    ['another advisor', { ...valid, advisor: 'partitions' }, /belongs to partitions\/prod-db/],
    ['a malformed alert entry', { ...valid, alerts: { k: { check: 'x' } } }, /malformed at alerts\.k\./],
    ['a bad severity', { ...valid, alerts: { k: { ...valid.alerts['prod-db|connections|'], severity: 'fatal' } } }, /malformed at alerts\.k\.severity/],
  ])('discards %s with a reason', (_label, raw, reason) => {
    // Act
    const out = migrateState(raw, 'health', 'prod-db');

    // Assess
    expect(out.doc).toEqual(emptyState('health', 'prod-db'));
    expect(out.discarded).toMatch(reason);
  });
});
