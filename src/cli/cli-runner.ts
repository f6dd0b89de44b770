import { type CliIo, CliUsageError, usageExitCode } from './cli-io.js';
import { helpFlagRow, helpRows } from './help-text.js';
import { packageVersion } from './package-version.js';

export const cliUsage = `Usage: aiaas <command> [options]

Commands:
${helpRows([
  ['serve', 'start the reference model server (aiaas serve --help)'],
  ['chat', 'ask a model once; prints the answer, tokens and cost'],
  ['models', 'list the models a server serves, with state and price'],
  ['deploy', 'deploy your own ONNX model to the server'],
  ['undeploy', 'unload a model you deployed'],
  ['train', 'upload data, fine-tune a model, follow it and print its metrics'],
  ['jobs', 'list fine-tuning jobs, print their events, cancel one'],
  ['eval', 'measure a deployed classifier on labelled data, with the cost'],
  ['cost report', 'sum the spend recorded in a ledger (a file or PostgreSQL)'],
  ['cost recover', "bring a crashed process's spend back from the server's billing"],
  ['db migrate', "create or update the PostgreSQL stores' tables"],
])}

Options:
${helpRows([['-v, --version', 'print the version of aiaas'], helpFlagRow])}`;

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

// Each command is loaded when it runs: `aiaas cost report` starts in half the time without the server's code.
const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve-command.js')).serveCommand,
  chat: async () => (await import('./chat-command.js')).chatCommand,
  models: async () => (await import('./models-command.js')).modelsCommand,
  deploy: async () => (await import('./deploy-command.js')).deployCommand,
  undeploy: async () => (await import('./deploy-command.js')).undeployCommand,
  train: async () => (await import('./train-command.js')).trainCommand,
  jobs: async () => (await import('./jobs-command.js')).jobsCommand,
  eval: async () => (await import('./eval-command.js')).evalCommand,
  cost: async () => (await import('./cost-report-command.js')).costCommand,
  db: async () => (await import('./db-command.js')).dbCommand,
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
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (load === undefined) {
    io.stderr(`aiaas: unknown command '${name}'.\n\n${cliUsage}`);
    return usageExitCode;
  }
  const command = await load();
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
