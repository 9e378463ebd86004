/** Every alert a person can receive has its runbook section, at the anchor alerts and alarms link to. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runbookAnchor, runbookLinks } from '../../lib/alert/runbook';
import { CHECK_IDS } from '../../lib/health/catalog';
import type { Notification } from '../../lib/report/types';

const runbook = readFileSync(join(__dirname, '../../docs/runbook.md'), 'utf8');
const anchors = new Set([...runbook.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));

describe('docs/runbook.md', () => {
  it.each(CHECK_IDS.map((id) => [id]))('has a section for the health check %s at #check-<id>', (id) => {
    expect(anchors).toContain(`check-${id}`);
  });

  it.each(['function-errors', 'function-throttles', 'orchestration-failed', 'schedule-dead-letters', 'run-missed', 'check-missed_run', 'advisor-could-not-run', 'partitions-failed'].map((a) => [a]))(
    'has the anchor %s', (a) => expect(anchors).toContain(a));

  it('gives each health check three SQL-backed first steps', () => {
    for (const id of CHECK_IDS) {
      const section = runbook.split(`<a id="check-${id}"></a>`)[1].split('<a id=')[0];
      expect(section.match(/^[123]\. /gm)).toHaveLength(3);
      expect(section).toMatch(/\*\*Silence:\*\*/);
    }
  });

  it('every anchor an alert message links to exists', () => {
    const ids: [Parameters<typeof runbookAnchor>[0], string][] = [
      ...CHECK_IDS.map((id) => ['health', id] as [ 'health', string ]),
      ['health', 'run_failed'], ['health', 'missed_run'], ['advise', 'advise_failed'], ['advise', 'index_recommendation'],
      ['partitions', 'lock_timeout'], ['partitions', 'partitions_failed'],
    ];
    for (const [advisor, check] of ids) expect(anchors).toContain(runbookAnchor(advisor, check));
  });

  it('messages link each firing check once, at most three, to the configured base', () => {
    const n = (check: string, state: Notification['state'] = 'firing') => ({ check, state } as Notification);
    expect(runbookLinks('health', [n('sequences'), n('sequences'), n('vacuum', 'resolved'), n('connections')], 'https://git.example.com/runbook.md'))
      .toEqual(['https://git.example.com/runbook.md#check-sequences', 'https://git.example.com/runbook.md#check-connections']);
    expect(runbookLinks('partitions', [n('gap'), n('lock_timeout')])).toEqual(['docs/runbook.md#partitions-failed']);
    expect(runbookLinks('health', ['a', 'b', 'c', 'd'].map((c) => n(c)))).toHaveLength(3);
  });
});
