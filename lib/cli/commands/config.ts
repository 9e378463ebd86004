/** `pgsteward config validate FILE`: validate and resolve every target, naming each bad field. */
import { loadConfigFile } from '../../config/load';
import { resolveAlerts, selectTargets } from '../../config/resolve';
import { UsageError } from '../../errors';
import { EXIT } from '../exit-codes';
import { CONFIG_HELP } from '../help';
import type { Streams } from '../output';

export async function configCommand(argv: string[], streams: Streams): Promise<number> {
  const [sub, file, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || file === '--help' || file === '-h') {
    streams.out(CONFIG_HELP);
    return sub ? EXIT.OK : EXIT.UNUSABLE;
  }
  if (sub !== 'validate') throw new UsageError(`unknown config subcommand "${sub}" (known: validate)`);
  if (!file) throw new UsageError('config validate needs a FILE');
  if (rest.length) throw new UsageError(`unexpected argument(s): ${rest.join(' ')}`);
  const config = loadConfigFile(file);
  const targets = selectTargets(config);
  resolveAlerts(config);
  streams.err(`ok: ${file} is valid (${targets.length} target(s)${targets.length ? `: ${targets.map((t) => t.id).join(', ')}` : '; only defaults'})\n`);
  return EXIT.OK;
}
