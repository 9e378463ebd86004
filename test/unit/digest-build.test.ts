import { buildDigest, hasSomethingToSay } from '../../lib/digest/build';
import { CHAT_CUT_LINE, fitLines } from '../../lib/digest/chat';
import { digestMessages } from '../../lib/digest/message';
import { partitionCoverage } from '../../lib/digest/partitions';
import { wrapSql } from '../../lib/digest/text';
import type { AdviseReport, IndexRecommendation, PartitionsReport, TopStatement } from '../../lib/report/types';

function advise(over: Partial<AdviseReport> = {}): AdviseReport {
  return {
    schemaVersion: 1, advisor: 'advise', target: 'db', runId: 'r1', startedAt: '2024-06-02T02:00:00.000Z', durationMs: 1,
    recommendations: [], topStatements: [], indexFindings: [], skipped: [], notifications: [], errors: [], statements: 1,
    summary: { recommendations: 0, indexFindings: 0, analysed: 0, candidates: 0, whatIfCalls: 0, whatIf: 'hypopg', budgetBytes: 0, totalSizeBytes: 0, timeSavedMs: 0, counters: 'interval', since: null },
    ...over,
  };
}
const top = (queryid: string, meanTimeMs: number): TopStatement => ({ queryid, query: `select ${queryid}`, user: 'app', calls: 10, totalTimeMs: meanTimeMs * 10, meanTimeMs });
function rec(table: string, timeSavedMs: number): IndexRecommendation {
  return { table, columns: ['c'], method: 'btree', statement: `CREATE INDEX CONCURRENTLY IF NOT EXISTS "${table}_c_idx" ON ${table} ("c");`, sizeBytes: 8192, benefit: 1, timeSavedMs, writeOverhead: 0, statements: [{ queryid: 'q1', calls: 3, costBefore: 100, costAfter: 1, estimate: 'generic' }], explanation: 'x' };
}

describe('digest builder', () => {
  it('has nothing to say, and sends nothing, for a quiet run; with no previous report nothing is "new"', () => {
    const d = buildDigest({ report: advise({ topStatements: [top('q1', 5)] }) });
    expect(hasSomethingToSay(d)).toBe(false);
    expect(d.newStatements).toEqual([]);
    expect(digestMessages(d)).toEqual([]);
  });

  it('puts an invalid index first, then indexes to create by time saved, keeping three', () => {
    const report = advise({
      recommendations: [rec('public.a', 10), rec('public.b', 900), rec('public.c', 50)],
      indexFindings: [{ kind: 'invalid', index: 'public.bad_idx', table: 'public.a', sizeBytes: 1, reason: 'invalid', statement: 'REINDEX INDEX CONCURRENTLY "public"."bad_idx";' }],
    });
    const d = buildDigest({ report });
    expect(d.todo.map((t) => t.title)).toEqual(['Rebuild the invalid index public.bad_idx on public.a', 'Create an index on public.b (c)', 'Create an index on public.c (c)']);
    expect(d.moreTodo).toBe(1);
  });

  it('names new statements and those slower by more than 50% (above the 1 ms floor), and nothing for a report without top statements', () => {
    const previous = advise({ topStatements: [top('q1', 2), top('q2', 2), top('q3', 0.1)] });
    const report = advise({ topStatements: [top('q1', 2.9), top('q2', 3.2), top('q3', 0.9), top('q4', 1)] });
    const d = buildDigest({ report, previous });
    expect(d.newStatements.map((s) => s.queryid)).toEqual(['q4']);
    expect(d.regressed).toEqual([expect.objectContaining({ queryid: 'q2', beforeMs: 2, afterMs: 3.2, factor: 1.6 })]);
    const old = buildDigest({ report, previous: advise({ topStatements: undefined }) });
    expect([old.newStatements, old.regressed]).toEqual([[], []]);
  });

  it('measures partition coverage ahead of the key, and marks failed and at-risk tables', () => {
    const day = 86_400_000_000n;
    const now = 1_717_200_000_000_000n;
    const report: PartitionsReport = {
      schemaVersion: 1, advisor: 'partitions', target: 'db', runId: 'p', startedAt: '2024-06-01T00:00:00Z', durationMs: 1, notifications: [], errors: [], statements: 1, dryRun: false, actions: [],
      tables: [
        { table: 'events', status: 'ok', partitionsBefore: 3, partitionsAfter: 3, axis: { kind: 'time', now: now.toString(), retentionCutoff: null } },
        { table: 'logs', status: 'ok', partitionsBefore: 1, partitionsAfter: 1 },
      ],
      partitions: [0n, 1n, 2n].map((i): PartitionsReport['partitions'][number] => ({ table: 'events', partition: `events_${i}`, from: `d${i}`, to: `d${i + 1n}`, fromKey: (now - day / 2n + i * day).toString(), toKey: (now + day / 2n + i * day).toString() }))
        .concat([{ table: 'logs', partition: 'logs_1', from: 'a', to: '2024-06-02', fromKey: null, toKey: null }]),
      findings: [{ table: 'logs', check: 'missing_future_partitions', severity: 'warning', message: 'no partition ahead' }],
      summary: { tables: 2, failed: 0, skipped: 0, created: 0, retired: 0, findings: 1 },
    };
    expect(partitionCoverage(report)).toEqual([
      { table: 'events', status: 'ok', ahead: '2 partitions ahead, up to d3 (2 days)', problems: [] },
      { table: 'logs', status: 'at-risk', ahead: 'up to 2024-06-02', problems: ['warning: no partition ahead'] },
    ]);
  });
});

describe('digest text', () => {
  it('wraps SQL only at whitespace outside quotes, so it still runs', () => {
    const sql = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS "a very long index name with spaces in it" ON "public"."orders and more" ("customer id", "created_at" DESC) WHERE note <> \'a b c d e f\';';
    const lines = wrapSql(sql, '  ', 40);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.map((l) => l.trim()).join(' ')).toBe(sql);
    expect(lines.some((l) => l.includes('"a very long index name with spaces in it"'))).toBe(true);
  });

  it('cuts a chat description at a whole line and says where the rest is', () => {
    const text = fitLines(Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(50)}`), 3000);
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text.endsWith(CHAT_CUT_LINE)).toBe(true);
    expect(text.split('\n').slice(0, -1).every((l) => /^line \d+ x{50}$/.test(l))).toBe(true);
  });
});
