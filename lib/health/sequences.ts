/**
 * Sequences close to their end. A sequence is judged against the smaller of its own maximum
 * and its owning column's type: a bigint sequence feeding an int4 column fails at 2^31-1, long
 * before the sequence does (the classic serial-to-bigint trap).
 *
 * pg_sequence_last_value() takes a lock on the sequence, so sequences that another session
 * holds ACCESS EXCLUSIVE (ALTER SEQUENCE in an open transaction) are skipped, and the session's
 * lock_timeout bounds the race that remains. Reading a sequence needs SELECT or USAGE on it.
 */
import type { CheckFamily, CheckContext, FamilyResult, MissingGrant } from './context';
import type { Finding } from './finding';
import { capFindings, judge, okFinding } from './judge';

// The privilege test and the set of locked sequences are computed once, not per row: with
// 10,000 sequences this statement is most of a health run (bench/health.ts).
const SEQUENCES_SQL = `
with locked as (
  select l.relation from pg_locks l
  where l.locktype = 'relation' and l.mode = 'AccessExclusiveLock' and l.granted
    and l.database = (select oid from pg_database where datname = current_database())
), seqs as (
  select s.seqrelid, n.nspname as schema, c.relname as name, s.seqmin, s.seqmax, s.seqincrement, s.seqcycle,
         has_sequence_privilege(c.oid, 'SELECT,USAGE') as readable
  from pg_sequence s
  join pg_class c on c.oid = s.seqrelid
  join pg_namespace n on n.oid = c.relnamespace
  where n.nspname not in ('pg_catalog', 'information_schema')
    and n.nspname not like 'pg\\_temp\\_%' and n.nspname not like 'pg\\_toast\\_temp\\_%'
    and s.seqrelid not in (select relation from locked)
)
select q.schema, q.name, q.seqmin::text as seqmin, q.seqmax::text as seqmax, q.seqincrement::text as increment,
       q.seqcycle as cycle, q.readable,
       case when q.readable then pg_sequence_last_value(q.seqrelid)::text end as last_value,
       quote_ident(tn.nspname) || '.' || quote_ident(tc.relname) as table_name, a.attname as column_name,
       format_type(a.atttypid, null) as column_type
from seqs q
left join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = q.seqrelid
  and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
left join pg_class tc on tc.oid = d.refobjid
left join pg_namespace tn on tn.oid = tc.relnamespace
left join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid`;

interface Row {
  schema: string;
  name: string;
  seqmin: string;
  seqmax: string;
  increment: string;
  cycle: boolean;
  table_name: string | null;
  column_name: string | null;
  column_type: string | null;
  readable: boolean;
  last_value: string | null;
}

const TYPE_RANGE: Record<string, [bigint, bigint]> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};

/** Percentage of the usable range consumed, and the effective limit (sequence or column type). */
export function sequenceUsage(r: Pick<Row, 'seqmin' | 'seqmax' | 'increment' | 'last_value' | 'column_type'>): { pct: number; limit: bigint; limitedBy: 'sequence' | 'column' } {
  const min = BigInt(r.seqmin);
  const max = BigInt(r.seqmax);
  const ascending = BigInt(r.increment) > 0n;
  const range = r.column_type ? TYPE_RANGE[r.column_type] : undefined;
  const last = r.last_value === null ? (ascending ? min : max) : BigInt(r.last_value);
  // When the column type's bound is at or inside the sequence's own, the column is what fails
  // (a serial on int4 stops at 2^31-1 whatever ALTER SEQUENCE says): widen the column.
  if (ascending) {
    const byColumn = !!range && range[1] <= max;
    const limit = byColumn ? range![1] : max;
    const span = limit - min;
    return { pct: span > 0n ? Number(((last - min) * 10000n) / span) / 100 : 100, limit, limitedBy: byColumn ? 'column' : 'sequence' };
  }
  const byColumn = !!range && range[0] >= min;
  const limit = byColumn ? range![0] : min;
  const span = max - limit;
  return { pct: span > 0n ? Number(((max - last) * 10000n) / span) / 100 : 100, limit, limitedBy: byColumn ? 'column' : 'sequence' };
}

export const sequences: CheckFamily = {
  name: 'sequences',
  checks: ['sequences'],
  async run(ctx: CheckContext): Promise<FamilyResult> {
    const rows = await ctx.db.query<Row>(SEQUENCES_SQL);
    const findings: Finding[] = [];
    const unreadable = rows.filter((r) => !r.readable);
    let worst = { pct: 0, name: '' };
    for (const r of rows.filter((x) => x.readable)) {
      const u = sequenceUsage(r);
      const name = `${r.schema}.${r.name}`;
      if (u.pct > worst.pct) worst = { pct: u.pct, name };
      const v = judge('sequences', u.pct, ctx.settings.thresholds.sequences);
      if (v.severity === 'ok') continue;
      const owner = r.table_name ? ` feeding ${r.table_name}.${r.column_name} (${r.column_type})` : '';
      const fix = u.limitedBy === 'column'
        ? `ALTER TABLE ${r.table_name} ALTER COLUMN ${r.column_name} TYPE bigint (rewrites the table: plan it).`
        : `ALTER SEQUENCE ${name} AS bigint MAXVALUE …, or plan a wider key.`;
      findings.push({
        check: 'sequences', severity: v.severity, object: name, value: u.pct, threshold: v.threshold,
        message: `Sequence ${name}${owner} has used ${u.pct}% of its range (last value ${r.last_value ?? 'none'}, limit ${u.limit} set by the ${u.limitedBy}${r.cycle ? '; it cycles' : ''}). ${fix}`,
        detail: { lastValue: r.last_value, limit: u.limit.toString(), limitedBy: u.limitedBy, table: r.table_name, column: r.column_name, columnType: r.column_type },
      });
    }
    const missingGrants: MissingGrant[] = unreadable.length
      ? [{
        object: 'sequences',
        fix: [...new Set(unreadable.map((r) => `GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${r.schema} TO ${ctx.db.server.user};`))].join(' '),
        message: `Cannot read ${unreadable.length} sequence(s) (${unreadable.slice(0, 5).map((r) => `${r.schema}.${r.name}`).join(', ')}${unreadable.length > 5 ? ', …' : ''}); their usage is not checked. Re-run sql/roles.sql or grant SELECT on them.`,
      }]
      : [];
    if (findings.length) return { findings: capFindings(findings, ctx.settings.maxSessionsPerCheck, 'sequences'), missingGrants };
    return {
      findings: [okFinding('sequences', rows.length ? `${rows.length - unreadable.length} sequence(s) checked; the fullest is ${worst.name || 'empty'} at ${worst.pct}%` : 'No sequences', worst.pct)],
      missingGrants,
    };
  },
};
