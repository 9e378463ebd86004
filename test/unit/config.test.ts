import { parseConfig, parseConfigText } from '../../lib/config/load';
import { mergeDeep, resolveAlerts, resolveTarget, selectTargets, targetIdFromUrl } from '../../lib/config/resolve';
import { ConfigError } from '../../lib/errors';
import { parseDurationMs, parseSizeBytes } from '../../lib/config/units';

function problems(doc: unknown): string[] {
  try {
    parseConfig(doc);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const target = { id: 'prod', connection: { url: 'postgres://u@db.example.com/app' } };

describe('config validation names the bad field', () => {
  it('a typo in a threshold check id', () => {
    expect(problems({ defaults: { health: { thresholds: { conections: { warning: 1 } } } } })).toEqual([
      'defaults.health.thresholds.conections: unknown field',
    ]);
  });

  it('a typo inside a target, with the array index', () => {
    expect(problems({ targets: [target, { ...target, id: 'b', helth: {} }] })).toEqual(['targets[1].helth: unknown field']);
  });

  it('a wrong type', () => {
    expect(problems({ targets: [{ ...target, health: { redactLiterals: 'yes' } }] })).toEqual([
      expect.stringMatching(/^targets\[0\]\.health\.redactLiterals: .*boolean/),
    ]);
  });

  it('a connection of no known shape reports the closest alternative', () => {
    expect(problems({ targets: [{ id: 'x', connection: { url: 'postgres://h/db', sslmod: 'require' } }] })).toEqual([
      'targets[0].connection.sslmod: unknown field',
    ]);
  });

  it('a malformed duration and a duplicate target id', () => {
    expect(problems({ alerts: { repeatInterval: '4 hours' } })).toEqual([expect.stringMatching(/^alerts\.repeatInterval: expected a duration/)]);
    expect(problems({ targets: [target, target] })).toEqual(['targets[1].id: duplicate target id "prod"']);
  });

  it('invalid JSON says so', () => {
    expect(() => parseConfigText('{"targets": [}')).toThrow(/not valid JSON/);
  });

  it('warning past critical is rejected after merging with defaults', () => {
    const config = parseConfig({ targets: [{ ...target, health: { thresholds: { connections: { warning: 99 } } } }] });
    expect(() => selectTargets(config)).toThrow(/targets\[0\]\.health\.thresholds\.connections: warning \(99\) must be at most critical \(95\)/);
  });

  it('a config holding only defaults is valid', () => {
    expect(problems({ defaults: { health: { disabled: ['vacuum'] } } })).toEqual([]);
  });
});

describe('config resolution', () => {
  it('scheduled runs include a target only for its advisors; naming it still runs it', () => {
    const config = parseConfig({ targets: [{ ...target, id: 'via-proxy', advisors: ['health'] }, { ...target, id: 'direct' }] });
    expect(selectTargets(config, undefined, 'health').map((t) => t.id)).toEqual(['via-proxy', 'direct']);
    expect(selectTargets(config, undefined, 'advise').map((t) => t.id)).toEqual(['direct']);
    expect(selectTargets(config, ['via-proxy'], 'advise').map((t) => t.id)).toEqual(['via-proxy']);
    expect(() => parseConfig({ targets: [{ ...target, advisors: ['helth'] }] })).toThrow(/targets\[0\]\.advisors\[0\]/);
  });

  it('merges objects key by key: built-in ← defaults ← target', () => {
    const config = parseConfig({
      defaults: { health: { thresholds: { connections: { warning: 70 } }, redactLiterals: false } },
      targets: [{ ...target, health: { thresholds: { connections: { critical: 90 } } } }],
    });
    const [t] = selectTargets(config);
    expect(t.health.thresholds.connections).toEqual({ warning: 70, critical: 90 });
    expect(t.health.thresholds.long_running_queries).toEqual({ warning: 60, critical: 300 });
    expect(t.health.redactLiterals).toBe(false);
  });

  it('arrays in a target replace those in defaults', () => {
    const config = parseConfig({
      defaults: { health: { disabled: ['vacuum', 'cache_hit_ratio'] }, partitions: [{ table: 'a', column: 'at', interval: '1 day' }] },
      targets: [{ ...target, health: { disabled: ['sequences'] }, partitions: [{ table: 'b', column: 'at', interval: '1 day' }] }],
    });
    const [t] = selectTargets(config);
    expect(t.health.disabled).toEqual(['sequences']);
    expect(t.partitions).toEqual([expect.objectContaining({ table: 'b' })]);
  });

  it('accepts durations and sizes in thresholds, in the check unit', () => {
    const config = parseConfig({ targets: [{ ...target, health: { thresholds: { long_running_queries: { warning: '90s', critical: '10m' }, replication_slots: { critical: '5GB' } } } }] });
    const [t] = selectTargets(config);
    expect(t.health.thresholds.long_running_queries).toEqual({ warning: 90, critical: 600 });
    expect(t.health.thresholds.replication_slots.critical).toBe(5 * 1024 ** 3);
  });

  it('selecting an unknown target is an error listing the known ones', () => {
    expect(() => selectTargets(parseConfig({ targets: [target] }), ['nope'])).toThrow(/no target with id "nope" \(known: prod\)/);
  });

  it('alert defaults', () => {
    expect(resolveAlerts({})).toEqual({ topicArn: undefined, region: undefined, repeatIntervalMs: 4 * 3600_000, for: 1, silences: [] });
  });

  it('derives a stable target id from a URL', () => {
    expect(targetIdFromUrl('postgres://u:p@db.example.com:6432/app')).toBe('db.example.com-6432-app');
    expect(resolveTarget({}, { id: 'x', connection: { url: 'postgres://h/db' } }).connectTimeoutMs).toBe(10_000);
  });

  it('mergeDeep leaves the base untouched', () => {
    const base = { a: { b: 1, c: 2 } };
    expect(mergeDeep(base, { a: { b: 3 } })).toEqual({ a: { b: 3, c: 2 } });
    expect(base.a.b).toBe(1);
  });
});

describe('units', () => {
  it.each([['30s', 30_000], ['5m', 300_000], ['4h', 14_400_000], ['7d', 604_800_000], ['250ms', 250], ['1.5h', 5_400_000]])('duration %s', (s, ms) => {
    expect(parseDurationMs(s)).toBe(ms);
  });
  it.each([['10GB', 10 * 1024 ** 3], ['512kB', 512 * 1024], ['80 MB', 80 * 1024 ** 2], ['1024', 1024]])('size %s', (s, b) => {
    expect(parseSizeBytes(s)).toBe(b);
  });
  it('rejects nonsense', () => {
    expect(parseDurationMs('soon')).toBeUndefined();
    expect(parseSizeBytes('big')).toBeUndefined();
  });
});
