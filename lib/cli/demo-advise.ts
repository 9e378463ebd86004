/**
 * The demo's second act: an application workload with a missing index, then `pgsteward advise`
 * with the trial engine (embedded PostgreSQL has no HypoPG: real indexes are built inside a
 * transaction that is always rolled back — fine on a throwaway database, never on production).
 * The trial engine builds indexes, which only a table's owner may do: it runs as the superuser.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import type { AdviseReport } from '../report/types';
import { EXIT } from './exit-codes';
import { main } from './main';
import type { Streams } from './output';

/** An orders table the application queries by customer, newest first, and customers by email. */
export async function makeWorkload(setup: Client, app: Client): Promise<string[]> {
  await setup.query(`
    create table shop_customers (id serial primary key, email text not null, country text not null);
    insert into shop_customers (email, country) select 'buyer' || g || '@example.com', (array['fr','de','us'])[1 + g % 3] from generate_series(1, 100000) g;
    create table shop_orders (id bigserial primary key, customer_id int not null, total numeric not null, created_at timestamptz not null);
    insert into shop_orders (customer_id, total, created_at) select 1 + g % 20000, g % 500, now() - (g || ' minutes')::interval from generate_series(1, 200000) g;`);
  // VACUUM cannot share a multi-statement string (an implicit transaction); the load itself is
  // not the workload, so the table write counters start after it.
  await setup.query('vacuum analyze shop_customers, shop_orders');
  // This session's counters reach the shared statistics up to a second late: flush them first.
  await setup.query('select pg_stat_force_next_flush()');
  await setup.query('select pg_stat_reset()');
  for (let i = 0; i < 5; i++) {
    await app.query('select * from shop_orders where customer_id = $1 order by created_at desc limit 20', [1000 + i]);
    await app.query('select id, country from shop_customers where email = $1', [`buyer${i}@example.com`]);
  }
  return ['shop_orders (200,000 rows) read by customer, newest first, with no index on customer_id', 'shop_customers (100,000 rows) looked up by email, with no index'];
}

/**
 * `pgsteward advise --what-if trial --out … --json --quiet` on target "demo" (as health and
 * partitions, so the three reports share one history page), its JSON captured.
 */
export async function runAdviseCli(url: string, base: string, out: string, streams: Streams): Promise<AdviseReport | undefined> {
  let json = '';
  const configFile = join(base, 'demo-advise.json');
  writeFileSync(configFile, JSON.stringify({ targets: [{ id: 'demo', connection: { url } }] }, null, 2), { mode: 0o600 });
  // The default budget, a tenth of this small database, could not hold one index on shop_orders.
  const code = await main(['advise', '--config', configFile, '--what-if', 'trial', '--storage-budget', '50MB', '--out', out, '--json', '--quiet'], { ...streams, out: (s) => { json += s; } });
  try {
    const report = JSON.parse(json) as AdviseReport;
    return code === EXIT.UNUSABLE ? undefined : report;
  } catch {
    streams.err(`pgsteward demo: advise printed no report (exit ${code})\n`);
    return undefined;
  }
}

export function adviseSummary(r: AdviseReport): string {
  const lines = [`advise: ${r.recommendations.length} index(es) to create, ${r.indexFindings.length} to drop or repair (${r.summary.analysed} statements, ${r.summary.whatIfCalls} trial plans, ${r.durationMs} ms)`];
  for (const x of r.recommendations) lines.push(`  ${x.statement.split('\n')[0]}`, `    ${x.explanation}`);
  for (const f of r.indexFindings) lines.push(`  ${f.kind}: ${f.statement}`);
  return `${lines.join('\n')}\n`;
}
