/**
 * The demo's third act: a daily-partitioned events table, made by hand weeks ago and left
 * behind (one old partition, nothing for today: inserts land in the DEFAULT partition), then
 * `pgsteward partitions` bringing it up to date: gaps and future days created standalone and
 * ATTACHed, the month-old partition detached by retention. It runs as the table owner.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import type { PartitionsReport } from '../report/types';
import { EXIT } from './exit-codes';
import { main } from './main';
import type { Streams } from './output';

export async function makePartitionedTable(setup: Client): Promise<string> {
  await setup.query(`
    create table app_events (id bigint generated always as identity, at timestamptz not null, kind text not null) partition by range (at);
    create table app_events_old partition of app_events for values from (date_trunc('day', now()) - interval '40 days') to (date_trunc('day', now()) - interval '39 days');
    create table app_events_default partition of app_events default;
    insert into app_events (at, kind) select date_trunc('day', now()) - interval '40 days' + (g || ' minutes')::interval, 'signup' from generate_series(1, 100) g;`);
  return 'app_events: daily partitions, one left from 40 days ago, none since (a DEFAULT partition catches the rest)';
}

/** `pgsteward partitions` with a daily policy (premake 3, retention 30 days), its JSON captured. */
export async function runPartitionsCli(url: string, base: string, out: string, streams: Streams): Promise<PartitionsReport | undefined> {
  const configFile = join(base, 'demo-partitions.json');
  const policy = { table: 'public.app_events', column: 'at', interval: '1 day', premake: 3, retention: '30 days', retentionMode: 'detach' };
  writeFileSync(configFile, JSON.stringify({ targets: [{ id: 'demo', connection: { url }, partitions: [policy] }] }, null, 2), { mode: 0o600 });
  let json = '';
  const code = await main(['partitions', '--config', configFile, '--out', out, '--json', '--quiet'], { ...streams, out: (s) => { json += s; } });
  try {
    const report = JSON.parse(json) as PartitionsReport;
    return code === EXIT.UNUSABLE ? undefined : report;
  } catch {
    streams.err(`pgsteward demo: partitions printed no report (exit ${code})\n`);
    return undefined;
  }
}

export function partitionsSummary(r: PartitionsReport): string {
  const t = r.tables[0];
  const lines = [`partitions: ${t ? `${t.table} ${t.partitionsBefore} → ${t.partitionsAfter} partitions` : 'no table'}; ${r.summary.created} created, ${r.summary.retired} retired, each created standalone and ATTACHed (${r.durationMs} ms)`];
  for (const f of r.findings) lines.push(`  ${f.severity} ${f.check}: ${f.message}`);
  return `${lines.join('\n')}\n`;
}
