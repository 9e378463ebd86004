/**
 * Prepared (two-phase) transactions left behind: they hold their locks and the xmin horizon
 * until someone commits or rolls them back, surviving restarts. Reported for the database
 * they belong to, the only place they can be finished (PostgreSQL docs, PREPARE
 * TRANSACTION: "it is unwise to leave transactions in the prepared state for a long time").
 */
import type { CheckFamily, CheckContext, FamilyResult } from './context';
import type { Finding } from './finding';
import { capFindings, humanSeconds, judge, okFinding } from './judge';

const SQL = `
select gid, owner::text, database::text, extract(epoch from now() - prepared)::float8 as age_seconds
from pg_prepared_xacts
where database = current_database()
order by prepared`;

export const prepared: CheckFamily = {
  name: 'prepared',
  checks: ['prepared_transactions'],
  async run(ctx: CheckContext): Promise<FamilyResult> {
    const rows = await ctx.db.query<{ gid: string; owner: string; database: string; age_seconds: number }>(SQL);
    const findings: Finding[] = [];
    for (const r of rows) {
      const v = judge('prepared_transactions', r.age_seconds, ctx.settings.thresholds.prepared_transactions);
      if (v.severity === 'ok') continue;
      const gid = r.gid.replace(/'/g, "''");
      findings.push({
        check: 'prepared_transactions', severity: v.severity, object: r.gid, value: Math.round(r.age_seconds), threshold: v.threshold,
        message: `Prepared transaction '${r.gid}' (owner ${r.owner}, database ${r.database}) has been waiting for ${humanSeconds(r.age_seconds)}. Its transaction manager should finish it; if it is orphaned: COMMIT PREPARED '${gid}'; or ROLLBACK PREPARED '${gid}'; (in database ${r.database}).`,
        detail: { owner: r.owner, database: r.database },
      });
    }
    if (findings.length) return { findings: capFindings(findings, ctx.settings.maxSessionsPerCheck, 'prepared transactions') };
    const oldest = rows[0]?.age_seconds ?? 0;
    return { findings: [okFinding('prepared_transactions', rows.length ? `${rows.length} prepared transaction(s), the oldest ${humanSeconds(oldest)} old` : 'No prepared transactions', Math.round(oldest))] };
  },
};
