import { chatCommand } from './chat-command.js';
import { type CliIo, CliUsageError, usageExitCode } from './cli-io.js';
import { costCommand } from './cost-report-command.js';
import { helpFlagRow, helpRows } from './help-text.js';
import { modelsCommand } from './models-command.js';
import { packageVersion } from './package-version.js';
import { serveCommand } from './serve-command.js';

export const cliUsage = `Usage: aiaas <command> [options]

Commands:
${helpRows([
  ['serve', 'start the reference model server (aiaas serve --help)'],
  ['chat', 'ask a model once; prints the answer, tokens and cost'],
  ['models', 'list the models a server serves'],
  ['cost report', 'sum the spend recorded in a ledger file'],
  ['cost recover', "bring a crashed process's spend back from the server's billing"],
])}

Options:
${helpRows([['-v, --version', 'print the version of aiaas'], helpFlagRow])}`;

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

const commands: Record<string, Command> = {
  serve: serveCommand,
  chat: chatCommand,
  models: modelsCommand,
  cost: costCommand,
};

/**
 * Runs the `aiaas` command line and returns the exit code: 0 success, 1 failure, 2 a
 * command line that cannot be understood.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), processIo);
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) {
    io.stderr(cliUsage);
    return usageExitCode;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(cliUsage);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(packageVersion());
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    io.stderr(`aiaas: unknown command '${name}'.\n\n${cliUsage}`);
    return usageExitCode;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr(`aiaas ${name}: ${error.message}\nRun 'aiaas ${name} --help' for the options.`);
      return usageExitCode;
    }
    throw error;
  }
}
