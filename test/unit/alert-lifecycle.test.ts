import type { AlertSettings, Silence } from '../../lib/config/resolve';
import type { Severity } from '../../lib/health/catalog';
import { AlertEntry, AlertInput, evaluate } from '../../lib/alert/lifecycle';
import { alertKey, globMatch } from '../../lib/alert/key';

const HOUR = 3600_000;
const T0 = new Date('2024-06-01T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const ALL_CHECKS = ['xid_wraparound', 'connections', 'sequences', 'connection'];

function settings(over: Partial<AlertSettings> = {}): AlertSettings {
  return { repeatIntervalMs: 4 * HOUR, for: 1, silences: [], ...over };
}
function finding(check: string, severity: Severity, object?: string, message = `${check} is ${severity}`): AlertInput {
  return { check, severity, ...(object ? { object } : {}), message };
}

/** Runs evaluate over a sequence of runs, threading the state, and returns each run's output. */
function runs(steps: { findings: AlertInput[]; now: Date; evaluatedChecks?: string[] }[], s = settings(), start: Record<string, AlertEntry> = {}) {
  let state = start;
  return steps.map((step) => {
    const out = evaluate(state, { target: 'prod-db', advisor: 'health', findings: step.findings, evaluatedChecks: step.evaluatedChecks ?? ALL_CHECKS, now: step.now, settings: s });
    state = out.next;
    return out;
  });
}

describe('alert lifecycle', () => {
  it('notifies `new` on the first non-ok run with the default for=1', () => {
    // Prepare / Act
    const [first] = runs([{ findings: [finding('xid_wraparound', 'critical', 'database app')], now: T0 }]);

    // Assess
    expect(first.notifications).toEqual([
      expect.objectContaining({
        key: 'prod-db|xid_wraparound|database app',
        severity: 'critical',
        state: 'firing',
        reason: 'new',
        subject: 'CRITICAL xid_wraparound on prod-db: database app',
        message: 'xid_wraparound is critical',
      }),
    ]);
    expect(first.next['prod-db|xid_wraparound|database app']).toMatchObject({ pendingRuns: 1, lastNotifiedSeverity: 'critical', lastNotifiedAt: T0.toISOString() });
  });

  it('waits `for` consecutive runs before the first notification', () => {
    const f = [finding('connections', 'warning')];
    const [one, two] = runs([{ findings: f, now: T0 }, { findings: f, now: at(60_000) }], settings({ for: 2 }));

    expect(one.notifications).toEqual([]);
    expect(one.next['prod-db|connections|']).toMatchObject({ pendingRuns: 1 });
    expect(one.next['prod-db|connections|'].firingSince).toBeUndefined();
    expect(two.notifications.map((n) => n.reason)).toEqual(['new']);
  });

  it('stays quiet on a second, unchanged run inside the repeat interval', () => {
    const f = [finding('connections', 'warning')];
    const [, second] = runs([{ findings: f, now: T0 }, { findings: f, now: at(HOUR) }]);

    expect(second.notifications).toEqual([]);
    expect(second.next['prod-db|connections|'].lastNotifiedAt).toBe(T0.toISOString());
  });

  it('notifies `changed` when the severity differs from the last one notified', () => {
    const [, second] = runs([
      { findings: [finding('connections', 'warning')], now: T0 },
      { findings: [finding('connections', 'critical')], now: at(60_000) },
    ]);

    expect(second.notifications).toEqual([expect.objectContaining({ reason: 'changed', severity: 'critical', subject: 'CRITICAL connections on prod-db' })]);
  });

  it('notifies `repeat` once the repeat interval has passed, then waits again', () => {
    const f = [finding('connections', 'warning')];
    const out = runs([
      { findings: f, now: T0 },
      { findings: f, now: at(4 * HOUR) },
      { findings: f, now: at(5 * HOUR) },
    ]);

    expect(out.map((o) => o.notifications.map((n) => n.reason))).toEqual([['new'], ['repeat'], []]);
  });

  it('notifies `resolved` once when a notified key goes ok or away, and not twice', () => {
    const out = runs([
      { findings: [finding('connections', 'warning')], now: T0 },
      { findings: [finding('connections', 'ok', undefined, 'Connections 40% of the limit')], now: at(60_000) },
      { findings: [], now: at(120_000) },
    ]);

    expect(out[1].notifications).toEqual([
      expect.objectContaining({ reason: 'resolved', state: 'resolved', severity: 'ok', subject: 'RESOLVED connections on prod-db', message: 'Connections 40% of the limit' }),
    ]);
    expect(out[1].next).toEqual({});
    expect(out[2].notifications).toEqual([]);
  });

  it('does not resolve (or repeat) a key whose check was not evaluated this run', () => {
    const firing = [finding('xid_wraparound', 'critical', 'database app')];
    const out = runs([
      { findings: firing, now: T0 },
      // The database was unreachable: only `connection` ran, 5 hours later (past the repeat interval).
      { findings: [finding('connection', 'critical', undefined, 'Cannot connect')], evaluatedChecks: ['connection'], now: at(5 * HOUR) },
    ]);

    expect(out[1].notifications.map((n) => n.key)).toEqual(['prod-db|connection|']);
    expect(out[1].next['prod-db|xid_wraparound|database app']).toEqual(out[0].next['prod-db|xid_wraparound|database app']);
  });

  it('lets a pending key that goes away disappear silently', () => {
    const out = runs([
      { findings: [finding('connections', 'warning')], now: T0 },
      { findings: [], now: at(60_000) },
    ], settings({ for: 3 }));

    expect(out.flatMap((o) => o.notifications)).toEqual([]);
    expect(out[1].next).toEqual({});
  });

  it('lists a silenced transition without claiming it, then notifies `new` once the silence ends', () => {
    const silence: Silence = { target: 'prod-*', check: 'sequences', object: 'public.*_id_seq', until: at(2 * HOUR).toISOString(), reason: 'migration to bigint' };
    const f = [finding('sequences', 'critical', 'public.orders_id_seq')];
    const out = runs([
      { findings: f, now: T0 },
      { findings: f, now: at(3 * HOUR) },
    ], settings({ silences: [silence] }));

    expect(out[0].notifications).toEqual([expect.objectContaining({ reason: 'new', silenced: { until: silence.until, reason: 'migration to bigint' } })]);
    expect(out[0].next['prod-db|sequences|public.orders_id_seq'].lastNotifiedAt).toBeUndefined();
    expect(out[1].notifications).toEqual([expect.objectContaining({ reason: 'new' })]);
    expect(out[1].notifications[0].silenced).toBeUndefined();
  });

  it('drops a silenced resolution without notifying it', () => {
    // Prepare: notified while no silence existed
    const [notified] = runs([{ findings: [finding('connections', 'warning')], now: T0 }]);
    const silence: Silence = { check: 'connections', until: at(10 * HOUR).toISOString(), reason: 'load test' };

    // Act: it goes away while a silence matches
    const silenced = evaluate(notified.next, { target: 'prod-db', advisor: 'health', findings: [], evaluatedChecks: ALL_CHECKS, now: at(HOUR), settings: settings({ silences: [silence] }) });

    // Assess

    expect(silenced.notifications).toEqual([expect.objectContaining({ reason: 'resolved', silenced: expect.any(Object) })]);
    expect(silenced.next).toEqual({});
  });

  it('orders notifications by severity, most severe first, then by key', () => {
    const [first] = runs([
      {
        findings: [
          finding('sequences', 'warning', 'b'),
          finding('connections', 'unknown'),
          finding('xid_wraparound', 'critical', 'z'),
          finding('sequences', 'warning', 'a'),
          finding('xid_wraparound', 'critical', 'a'),
        ],
        now: T0,
      },
    ]);

    expect(first.notifications.map((n) => n.key)).toEqual([
      'prod-db|xid_wraparound|a',
      'prod-db|xid_wraparound|z',
      'prod-db|sequences|a',
      'prod-db|sequences|b',
      'prod-db|connections|',
    ]);
  });

  it('judges a key by its worst finding when a check reports the same object twice', () => {
    const [first] = runs([{ findings: [finding('sequences', 'warning', 's'), finding('sequences', 'critical', 's')], now: T0 }]);

    expect(first.notifications).toEqual([expect.objectContaining({ severity: 'critical' })]);
  });
});

describe('alert keys and globs', () => {
  it('builds target|check|object keys', () => {
    expect(alertKey('prod', 'connections')).toBe('prod|connections|');
    expect(alertKey('prod', 'sequences', 'public.s')).toBe('prod|sequences|public.s');
  });

  it.each([
    ['public.*', 'public.orders', true],
    ['public.*', 'audit.orders', false],
    ['*_id_seq', 'public.orders_id_seq', true],
    ['slot_?', 'slot_1', true],
    ['slot_?', 'slot_12', false],
    ['a.b', 'axb', false], // `.` is literal
    ['*', '', true],
    ['a*b*c', 'a-xx-b-yy-c', true],
    ['(x)+[y]', '(x)+[y]', true], // regex metacharacters are literal
  ])('globMatch(%j, %j) is %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text)).toBe(expected);
  });

  it('matches in linear-ish time where a backtracking regex would explode', () => {
    const started = Date.now();
    expect(globMatch('*a*a*a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
