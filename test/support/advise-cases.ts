/**
 * Helpers for test/integration/advise-cases-*.test.ts: run `pgsteward advise` in-process on a
 * test database, run each recommended statement for real, and read what the planner then does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import type { AdviseReport, IndexRecommendation } from '../../lib/report/types';
import { cli } from './cli';
import type { TestDatabase } from './db';

export interface AdviseRun {
  code: number;
  report: AdviseReport;
  stderr: string;
  ms: number;
}

/**
 * `pgsteward advise --database-url <pgsteward role> --config <advise settings> --json`, with
 * minMeanTimeMs 0 (test tables are fast) and a budget large enough not to be the constraint.
 */
export async function adviseCli(t: TestDatabase, advise: Record<string, unknown> = {}, extra: string[] = []): Promise<AdviseRun> {
  const dir = mkdtempSync(join(tmpdir(), 'pgsteward-advise-cases-'));
  try {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ defaults: { advise: { minMeanTimeMs: 0, storageBudget: '1GB', ...advise } } }));
    const started = Date.now();
    const r = await cli('advise', '--database-url', t.stewardUrl, '--config', config, '--json', ...extra);
    const ms = Date.now() - started;
    let report: AdviseReport;
    try {
      report = r.json();
    } catch {
      throw new Error(`advise printed no JSON (exit ${r.code})\n${r.stderr}`);
    }
    return { code: r.code, report, stderr: r.stderr, ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `table(col1,col2)` of each recommendation, for readable failures. */
export const keysOf = (r: AdviseReport) => r.recommendations.map((x) => `${x.table}(${x.columns.join(',')})`);

export const recsFor = (r: AdviseReport, table: string): IndexRecommendation[] => r.recommendations.filter((x) => x.table === table);

/** The `;`-terminated statements of a recommendation, one by one (CONCURRENTLY refuses a transaction). */
export function splitStatements(statement: string): string[] {
  return statement.split(/;[ \t]*(?:\r?\n|$)/).map((s) => s.trim()).filter(Boolean);
}

/** The names a recommendation creates (`IF NOT EXISTS "name"`), the parent's first. */
export function createdIndexNames(statement: string): string[] {
  return [...statement.matchAll(/IF NOT EXISTS "((?:[^"]|"")+)"/g)].map((m) => m[1].replace(/""/g, '"'));
}

/** Runs every statement of a recommendation as the superuser, one at a time. */
export async function applyRecommendation(admin: Client, statement: string): Promise<void> {
  for (const s of splitStatements(statement)) await admin.query(s);
}

export interface PlanSummary {
  indexes: string[];
  nodeTypes: string[];
  json: string;
}

/** EXPLAIN (FORMAT JSON) of a literal statement: the indexes and node types it uses. */
export async function planOf(admin: Client, sql: string): Promise<PlanSummary> {
  const { rows } = await admin.query(`explain (format json) ${sql}`);
  const doc = rows[0]['QUERY PLAN'];
  const indexes: string[] = [];
  const nodeTypes: string[] = [];
  const walk = (n: any) => {
    nodeTypes.push(n['Node Type']);
    if (n['Index Name']) indexes.push(n['Index Name']);
    (n.Plans ?? []).forEach(walk);
  };
  walk(doc[0].Plan);
  return { indexes: [...new Set(indexes)], nodeTypes, json: JSON.stringify(doc) };
}

/** pg_stat_statements texts of this database that match `like` (ILIKE). */
export async function statementTexts(admin: Client, like: string): Promise<string[]> {
  const { rows } = await admin.query<{ query: string }>(
    `select query from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database()) and query ilike $1`,
    [like],
  );
  return rows.map((r) => r.query);
}

/** Waits until this backend's table counters are visible in pg_stat_user_tables (PG 15 flushes them lazily). */
export async function flushStats(session: Client, table: string, atLeast: { ins?: number; upd?: number; del?: number }): Promise<void> {
  await session.query('select pg_stat_force_next_flush()');
  for (let i = 0; i < 50; i++) {
    await session.query('select 1');
    const { rows } = await session.query(`select n_tup_ins::int as ins, n_tup_upd::int as upd, n_tup_del::int as del from pg_stat_user_tables where relname = $1`, [table]);
    const r = rows[0];
    if (r && r.ins >= (atLeast.ins ?? 0) && r.upd >= (atLeast.upd ?? 0) && r.del >= (atLeast.del ?? 0)) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`write counters of ${table} never reached ${JSON.stringify(atLeast)}`);
}

/**
 * pg_stat_reset() after a bulk load, so table write counters count only the workload. PG 15+
 * flushes a backend's counters lazily (at most once a second, else ~10 s later): a load flushed
 * after the reset would count as 100k+ writes and price every index out. Force the flush first.
 */
export async function resetTableStats(session: Client): Promise<void> {
  await session.query('select pg_stat_force_next_flush()');
  await session.query('select pg_stat_reset()');
}
