/**
 * From collected statements to a workload the selection can price: each statement parsed,
 * resolved against the catalog under its user's search_path, and planned once as it stands.
 * Whatever cannot take part is skipped with its reason, never a crash.
 */
import { errorMessage } from '../errors';
import type { LoadedCatalog } from './catalog';
import { parseStatement } from './parse';
import type { PlannedStatement } from './whatif/oracle';
import { Estimate, Planner } from './plan';
import { planText } from './plan-text';
import type { Db } from '../pg/db';
import { displayIdent } from '../pg/quote';
import type { ParsedStatement } from './parse';
import { loadColumnStats, representativeValues } from './values';
import { StatementResolver, ResolvedStatement } from './resolve';
import type { CollectedStatement, SkippedStatement } from './types';

export interface WorkloadItem extends PlannedStatement {
  collected: CollectedStatement;
  resolved: ResolvedStatement;
  baseCost: number;
  searchPath: string[];
  /** Whether costs come from representative values or the generic plan. */
  estimate: Estimate;
}

export interface Workload {
  items: WorkloadItem[];
  skipped: SkippedStatement[];
}

const preview = (q: string) => (q.length > 200 ? `${q.slice(0, 200)}…` : q);

export async function buildWorkload(db: Db, statements: CollectedStatement[], catalog: LoadedCatalog, planner: Planner): Promise<Workload> {
  const skipped: SkippedStatement[] = [];
  const resolvers = new Map<string, StatementResolver>();
  const ready: { s: CollectedStatement; parsed: ParsedStatement; resolved: ResolvedStatement; tables: ResolvedStatement['tables']; path: string[] }[] = [];
  for (const s of statements) {
    const parsed = parseStatement(s.query);
    if (!parsed.ok) {
      skipped.push({ queryid: s.queryid, query: preview(s.query), reason: parsed.reason === 'truncated' ? 'truncated' : parsed.reason === 'unsupported' ? 'unsupported' : 'unparsable', detail: parsed.message });
      continue;
    }
    if (parsed.kind === 'insert' || parsed.kind === 'other') {
      skipped.push({ queryid: s.queryid, query: preview(s.query), reason: 'unsupported', detail: `${parsed.kind} statements do not read through indexes` });
      continue;
    }
    const path = catalog.searchPathFor(s.user);
    const pathKey = path.join(',');
    let resolver = resolvers.get(pathKey);
    if (!resolver) resolvers.set(pathKey, (resolver = new StatementResolver(catalog.withSearchPath(path))));
    const resolved = resolver.resolve(parsed);
    const tables = resolved.tables.filter((t) => t.kind === 'table' || t.kind === 'partitioned' || t.kind === 'matview');
    if (!tables.length) {
      skipped.push({ queryid: s.queryid, query: preview(s.query), reason: 'catalog-only', detail: resolved.notes.join('; ') || 'no user table' });
      continue;
    }
    ready.push({ s, parsed, resolved, tables, path });
  }

  // One statement reads the statistics of every compared column.
  const stats = await loadColumnStats(db, ready.flatMap((r) => r.resolved.paramUses));
  const items: WorkloadItem[] = [];
  for (const { s, parsed, resolved, tables, path } of ready) {
    // Plan as the statement's own user would see names: under its search_path.
    const searchPath = path.map((p) => `"${p.replace(/"/g, '""')}"`).join(', ') || "''";
    // UPDATE/DELETE are planned as the SELECT that finds their rows: EXPLAIN of the statement
    // itself needs UPDATE/DELETE privilege, which the read-only role lacks (plan-text.ts).
    const chosen = planText(parsed);
    if ('skip' in chosen) {
      skipped.push({ queryid: s.queryid, query: preview(s.query), reason: 'unsupported', detail: chosen.skip });
      continue;
    }
    const generic = { text: chosen.text, paramCount: parsed.paramCount, paramTypes: resolved.paramTypes, untypedResults: parsed.untypedResults, searchPath };
    const values = pagedValues(representativeValues(resolved.paramUses, stats, parsed.paramCount, resolved.paramTypes, parsed.intervalFields), parsed);
    const attempts = values ? [{ ...generic, values }, generic] : [generic];
    let lastError: unknown;
    for (const plan of attempts) {
      try {
        const base = await planner.plan(plan);
        items.push({ id: s.queryid, weight: s.calls, tables: tables.map((t) => `${t.schema}.${t.name}`), plan, collected: s, resolved: { ...resolved, tables }, baseCost: base.totalCost, searchPath: path, estimate: base.estimate });
        lastError = undefined;
        break;
      } catch (err) {
        lastError = err;
      }
    }
    if (lastError) skipped.push({ queryid: s.queryid, query: preview(s.query), reason: 'plan-failed', detail: planFailure(lastError, tables, db.server.user) });
  }
  return { items, skipped };
}

/**
 * EXPLAIN needs the privileges of running the statement (PostgreSQL docs, EXPLAIN): a table the
 * role may not read (42501) is named with the GRANT from sql/roles.sql that lets it be planned.
 */
function planFailure(err: unknown, tables: ResolvedStatement['tables'], role: string): string {
  const why = errorMessage(err);
  if ((err as { code?: string }).code !== '42501') return why;
  const grants = [...new Set(tables.map((t) => t.schema))].map((schema) => `GRANT SELECT ON ALL TABLES IN SCHEMA ${displayIdent(schema)} TO ${displayIdent(role)};`);
  return `${why}. Fix: ${grants.join(' ')}`;
}

/**
 * pg_stat_statements turns `LIMIT 10` into `LIMIT $n`; planned as "any value", an index that
 * supplies the ORDER BY looks useless. A typical page (20 rows, from the start) plans like the
 * application's own statement.
 */
const TYPICAL_PAGE = '20';

function pagedValues(values: Map<number, string | null> | undefined, parsed: ParsedStatement): Map<number, string | null> | undefined {
  if (!values) return values;
  for (const scope of parsed.scopes) {
    for (const n of scope.limitParams) values.set(n, TYPICAL_PAGE);
    for (const n of scope.offsetParams) values.set(n, '0');
  }
  return values;
}
