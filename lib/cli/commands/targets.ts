/** The targets a run command covers: one from --database-url, or the config's (all, or --target). */
import { loadConfigFile } from '../../config/load';
import { AlertSettings, resolveAlerts, resolveTarget, ResolvedTarget, selectTargets, targetIdFromUrl } from '../../config/resolve';
import type { Config } from '../../config/schema';
import { UsageError } from '../../errors';
import type { RunFlags } from '../args';

export function runTargets(flags: RunFlags): { config: Config; targets: ResolvedTarget[]; alerts: AlertSettings } {
  const config: Config = flags.config ? loadConfigFile(flags.config) : {};
  const targets = flags.databaseUrl
    ? [resolveTarget(config, { id: targetIdFromUrl(flags.databaseUrl), connection: { url: flags.databaseUrl } })]
    : selectTargets(config, flags.targets);
  if (!targets.length) throw new UsageError(`${flags.config} defines no targets: add some under "targets", or use --database-url`);
  return { config, targets, alerts: resolveAlerts(config) };
}
