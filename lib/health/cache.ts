/**
 * Buffer cache hit ratio over the interval since the previous run (not since the stats were
 * last reset, which would hide today's problem under months of history). The counters are
 * pg_stat_database.blks_hit / blks_read (PostgreSQL docs, "The Cumulative Statistics System");
 * judged only when at least `minBlocks` blocks were requested, because a quiet interval's ratio
 * is noise. Without a previous snapshot (first run, or the CLI without --state) it says so.
 */
import type { CheckFamily, CheckContext, FamilyResult } from './context';
import { judge, okFinding } from './judge';

const SQL = `
select blks_hit::text as blks_hit, blks_read::text as blks_read, stats_reset::text as stats_reset
from pg_stat_database
where datname = current_database()`;

export interface CacheMemory {
  blksHit: string;
  blksRead: string;
  statsReset: string | null;
  at: string;
}

export const cache: CheckFamily = {
  name: 'cache',
  checks: ['cache_hit_ratio'],
  async run(ctx: CheckContext): Promise<FamilyResult> {
    const t = ctx.settings.thresholds.cache_hit_ratio;
    const minBlocks = Number(t.minBlocks ?? 0);
    const [r] = await ctx.db.query<{ blks_hit: string; blks_read: string; stats_reset: string | null }>(SQL);
    const now: CacheMemory = { blksHit: r.blks_hit, blksRead: r.blks_read, statsReset: r.stats_reset, at: ctx.now.toISOString() };
    const prev = ctx.memory as Partial<CacheMemory>;
    const memory = { ...now };
    if (!prev.blksHit || !prev.blksRead) {
      return { findings: [okFinding('cache_hit_ratio', 'First run: the hit ratio is measured between two runs, so there is nothing to judge yet', undefined, { detail: { note: 'no previous snapshot' } })], memory };
    }
    const hit = BigInt(r.blks_hit) - BigInt(prev.blksHit);
    const read = BigInt(r.blks_read) - BigInt(prev.blksRead);
    if (hit < 0n || read < 0n || prev.statsReset !== r.stats_reset) {
      return { findings: [okFinding('cache_hit_ratio', 'Statistics were reset since the previous run; a new baseline was taken', undefined, { detail: { note: 'stats reset' } })], memory };
    }
    const total = hit + read;
    if (total < BigInt(minBlocks)) {
      return { findings: [okFinding('cache_hit_ratio', `Only ${total} blocks requested since the previous run (judged from ${minBlocks})`, undefined, { detail: { blocks: Number(total) } })], memory };
    }
    const pct = Math.round(Number((hit * 100000n) / total)) / 1000;
    const v = judge('cache_hit_ratio', pct, t);
    const since = Math.round((ctx.now.getTime() - Date.parse(prev.at ?? now.at)) / 1000);
    return {
      findings: [{
        check: 'cache_hit_ratio', severity: v.severity, value: pct, threshold: v.threshold,
        message: `Buffer cache hit ratio ${pct}% over the last ${since}s (${hit} hits, ${read} reads)${v.severity === 'ok' ? '' : ': the working set no longer fits in shared_buffers, or a query is scanning far more than it should'}`,
        detail: { hits: Number(hit), reads: Number(read), intervalSeconds: since },
      }],
      memory,
    };
  },
};
