/**
 * The `pgsteward` command. Errors pgsteward understands (usage, config) print one clear message
 * and exit 3; anything else is an internal error, also exit 3, with the stack for a bug report.
 */
import { ConfigError, PgstewardError, UsageError } from '../errors';
import { configCommand } from './commands/config';
import { healthCommand } from './commands/health';
import { adviseCommand } from './commands/advise';
import { EXIT } from './exit-codes';
import { MAIN_HELP, VERSION } from './help';
import { processStreams, Streams } from './output';

type Command = (argv: string[], streams: Streams) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  health: healthCommand,
  config: configCommand,
  advise: adviseCommand,
  partitions: async (argv, streams) => (await import('./commands/partitions')).partitionsCommand(argv, streams),
  demo: async (argv, streams) => (await import('./demo')).demoCommand(argv, streams),
  reports: async (argv, streams) => (await import('./commands/reports')).reportsCommand(argv, streams),
};

export async function main(argv: string[], streams: Streams = processStreams()): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      if (cmd === 'help' && rest[0] && COMMANDS[rest[0]]) return await COMMANDS[rest[0]](['--help'], streams);
      // Asked for help: stdout, success. No command at all: usage on stderr, exit 3.
      if (cmd) streams.out(MAIN_HELP);
      else streams.err(MAIN_HELP);
      return cmd ? EXIT.OK : EXIT.UNUSABLE;
    }
    if (cmd === '--version' || cmd === '-V' || cmd === 'version') {
      streams.out(`pgsteward ${VERSION}\n`);
      return EXIT.OK;
    }
    const command = COMMANDS[cmd];
    if (!command) throw new UsageError(`unknown command "${cmd}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    if (rest.includes('--version')) {
      streams.out(`pgsteward ${VERSION}\n`);
      return EXIT.OK;
    }
    return await command(rest, streams);
  } catch (err) {
    if (err instanceof UsageError) {
      streams.err(`pgsteward: ${err.message}\nRun 'pgsteward ${COMMANDS[cmd] ? `${cmd} ` : ''}--help' for usage.\n`);
    } else if (err instanceof ConfigError || err instanceof PgstewardError) {
      streams.err(`pgsteward: ${err.message}\n`);
    } else {
      streams.err(`pgsteward: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    return EXIT.UNUSABLE;
  }
}
