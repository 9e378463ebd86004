/** The health report's line about its server's instance-level checks (lib/health/servers.ts). */
import type { HealthReport } from './types';

export function instanceChecksLine(r: HealthReport): string[] {
  const s = r.instanceChecks;
  if (!s) return [];
  const others = s.targets.filter((t) => t !== r.target);
  const line = s.coveredBy === r.target
    ? `Server \`${s.server}\`: this report covers its instance-level checks (${s.checks.map((c) => `\`${c}\``).join(', ')}) for ${others.length ? `targets ${[r.target, ...others].join(', ')}` : `target ${r.target}`}; their alerts are keyed \`${s.server}\`, once per server.`
    : `Server \`${s.server}\`: its instance-level checks (${s.checks.map((c) => `\`${c}\``).join(', ')}) are covered by target **${s.coveredBy}**'s report, not repeated here.`;
  return [s.note ? `${line} ${s.note}` : line, ''];
}
