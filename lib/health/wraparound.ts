/**
 * Transaction ID and multixact ID wraparound: the age of each database's datfrozenxid /
 * datminmxid and of the oldest table in the current database. PostgreSQL stops assigning
 * XIDs ~3 million short of 2^31 (PostgreSQL docs, "Preventing Transaction ID Wraparound
 * Failures"); autovacuum's anti-wraparound vacuums start at autovacuum_freeze_max_age (200M).
 * Only catalog columns are read: nothing here takes a lock on a user table.
 *
 * pg_database is cluster-wide, so the per-database rows are a server-level finding (alerted
 * once per host:port, by the target that covers the server: ctx.instance); the oldest table
 * belongs to this target's database.
 */
import type { CheckFamily, CheckContext, FamilyResult } from './context';
import type { Finding } from './finding';
import { humanCount, judge, okFinding } from './judge';

const DATABASES_SQL = `
select datname, age(datfrozenxid)::bigint as xid_age, mxid_age(datminmxid)::bigint as mxid_age
from pg_database
where datallowconn
order by greatest(age(datfrozenxid), mxid_age(datminmxid)) desc`;

// A TOAST table is reported as the table that owns it: that is what a person can VACUUM.
const OLDEST_TABLE_SQL = `
select coalesce(o.oid, c.oid)::regclass::text as relation,
       age(c.relfrozenxid)::bigint as xid_age, mxid_age(c.relminmxid)::bigint as mxid_age
from pg_class c
left join pg_class o on o.reltoastrelid = c.oid
where c.relkind in ('r', 'm', 't') and c.relfrozenxid <> '0'
order by greatest(age(c.relfrozenxid), mxid_age(c.relminmxid)) desc
limit 1`;

const LIMIT = 2 ** 31;

export const wraparound: CheckFamily = {
  name: 'wraparound',
  checks: ['xid_wraparound'],
  async run(ctx: CheckContext): Promise<FamilyResult> {
    const t = ctx.settings.thresholds.xid_wraparound;
    const dbs = ctx.instance ? await ctx.db.query<{ datname: string; xid_age: string; mxid_age: string }>(DATABASES_SQL) : [];
    const [table] = await ctx.db.query<{ relation: string; xid_age: string; mxid_age: string }>(OLDEST_TABLE_SQL);
    const findings: Finding[] = [];
    const consider = (object: string, xid: number, mxid: number, fix: string, scope?: 'server') => {
      const value = Math.max(xid, mxid);
      const v = judge('xid_wraparound', value, t);
      if (v.severity === 'ok') return;
      const which = mxid > xid ? 'multixact ID' : 'transaction ID';
      findings.push({
        check: 'xid_wraparound', severity: v.severity, object, value, threshold: v.threshold,
        message: `${object}: ${which} age ${humanCount(value)} (${pct(value)}% of the 2^31 limit; xid ${humanCount(xid)}, multixact ${humanCount(mxid)}). ${fix}`,
        detail: { xidAge: xid, mxidAge: mxid },
        ...(scope ? { scope } : {}),
      });
    };
    for (const d of dbs) consider(`database ${d.datname}`, Number(d.xid_age), Number(d.mxid_age), `Run VACUUM (FREEZE) on its oldest tables and look for what holds back the xmin horizon (long transactions, prepared transactions, replication slots).`, 'server');
    if (table) consider(`table ${table.relation}`, Number(table.xid_age), Number(table.mxid_age), `Run VACUUM (FREEZE, VERBOSE) ${table.relation}.`);
    if (findings.length) return { findings };
    // One ok finding (it carries no object, so no alert key of this check can resolve through it).
    const oldest = dbs[0];
    const value = oldest ? Math.max(Number(oldest.xid_age), Number(oldest.mxid_age)) : table ? Math.max(Number(table.xid_age), Number(table.mxid_age)) : 0;
    return {
      findings: [okFinding('xid_wraparound', `Oldest ID age ${humanCount(value)}${oldest ? ` (database ${oldest.datname})` : ''}: ${pct(value)}% of the wraparound limit${table ? `; oldest table ${table.relation} at ${humanCount(Math.max(Number(table.xid_age), Number(table.mxid_age)))}` : ''}`, value)],
    };
  },
};

function pct(age: number): string {
  return ((age / LIMIT) * 100).toFixed(1);
}
