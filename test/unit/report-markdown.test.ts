/** Markdown of the advise and partitions reports: the top statements table and the coverage per table. */
import { renderMarkdown } from '../../lib/report/markdown';
import type { AdviseReport, PartitionsReport } from '../../lib/report/types';

const base = { schemaVersion: 1 as const, runId: 'r1', startedAt: '2024-06-01T10:00:00.000Z', durationMs: 10, notifications: [], errors: [], statements: 1 };

describe('advise markdown', () => {
  const report: AdviseReport = {
    ...base, advisor: 'advise', target: 'app', recommendations: [], indexFindings: [], skipped: [],
    topStatements: [
      { queryid: '-42', query: 'select * from t\n where a = $1 or b || c = $2', user: 'app', calls: 1200, totalTimeMs: 95_000, meanTimeMs: 79.1667 },
      { queryid: '7', query: 'update `x` set y = 1', user: 'batch', calls: 3, totalTimeMs: 12, meanTimeMs: 4 },
    ],
    summary: { recommendations: 0, indexFindings: 0, analysed: 2, candidates: 0, whatIfCalls: 0, whatIf: 'hypopg', budgetBytes: 1 << 20, totalSizeBytes: 0, timeSavedMs: 0, counters: 'cumulative', since: null },
  };

  it('lists the top statements as a table, one row each, with pipes and backticks made harmless', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('## Top statements by total time (2)');
    expect(md).toContain('| # | Query | User | Calls | Total | Mean |');
    expect(md).toContain("| 1 | `select * from t where a = $1 or b \\|\\| c = $2` | app | 1200 | 95s | 79.17 ms |");
    expect(md).toContain("| 2 | `update 'x' set y = 1` | batch | 3 | 12 ms | 4.00 ms |");
  });

  it('has no such section for reports written before topStatements existed', () => {
    expect(renderMarkdown({ ...report, topStatements: undefined })).not.toContain('Top statements');
  });
});

describe('partitions markdown', () => {
  const day = (d: number) => String(Date.UTC(2024, 5, d) * 1000);
  const part = (d: number) => ({ table: 'public.events', partition: `events_p202406${String(d).padStart(2, '0')}`, from: `2024-06-${String(d).padStart(2, '0')} 00:00:00+00`, to: `2024-06-${String(d + 1).padStart(2, '0')} 00:00:00+00`, fromKey: day(d), toKey: day(d + 1) });
  const report: PartitionsReport = {
    ...base, advisor: 'partitions', target: 'app', dryRun: false, actions: [], findings: [],
    tables: [{ table: 'public.events', status: 'ok', partitionsBefore: 3, partitionsAfter: 4, axis: { kind: 'time', now: String(Date.UTC(2024, 5, 2, 12) * 1000), retentionCutoff: null } }],
    partitions: [part(3), part(1), part(4), part(2), { table: 'public.events', partition: 'events_default', from: 'DEFAULT', to: null }],
    summary: { tables: 1, failed: 0, skipped: 0, created: 1, retired: 0, findings: 0 },
  };

  it('shows per table the oldest bound, the newest bound and how many partitions are ready ahead of now', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('| Table | Partitions | Oldest from | Newest bound | Premade ahead of now | Default |');
    expect(md).toContain('| `public.events` | 4 | 2024-06-01 00:00:00+00 | 2024-06-05 00:00:00+00 | 2 | yes |');
  });
});
