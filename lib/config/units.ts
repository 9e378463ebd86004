/**
 * pgsteward's own durations ("30s", "5m", "4h", "7d") and sizes ("512kB", "10GB").
 * Sizes follow PostgreSQL's own memory units (kB, MB, GB, TB are powers of 1024, see
 * https://www.postgresql.org/docs/current/config-setting.html#CONFIG-SETTING-NAMES-VALUES),
 * so a number copied from postgresql.conf means the same thing here.
 */
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** Parses "90s", "5m", "4h", "1.5h", "7d", "250ms" into milliseconds; undefined when malformed. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * DURATION_UNITS[m[2].toLowerCase()]);
}

/** Parses "10GB", "512 kB", "80MB", "1024" (bytes) into bytes; undefined when malformed. */
export function parseSizeBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)?\s*$/i.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()]);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${(s / 3600).toFixed(1).replace(/\.0$/, '')}h`;
  return `${(s / 86400).toFixed(1).replace(/\.0$/, '')}d`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1).replace(/\.0$/, '')} ${units[i]}`;
}
