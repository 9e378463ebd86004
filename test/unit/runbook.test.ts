/** Every alert a person can receive has its runbook section, at the anchor alerts and alarms link to. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECK_IDS } from '../../lib/health/catalog';

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
});
