import { parseArgs } from 'node:util';
import { type CliIo, CliUsageError } from './cli-io.js';
import { connectClient } from './connect-client.js';
import { helpRows } from './help-text.js';
import { connectionOptions, connectionRows, parseCommandLine } from './parse-command-line.js';

export const modelsUsage = `Usage: aiaas models [options]

List the models a server serves.

Options:
${helpRows([['--json', "print the provider's list as JSON"], ...connectionRows])}`;

/**
 * `aiaas models`: one model id per line (or the list as JSON).
 *
 * @example
 * process.exitCode = await modelsCommand(['--base-url', 'http://127.0.0.1:8000'], processIo);
 */
export async function modelsCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: { ...connectionOptions, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: true,
    }),
  );
  if (values.help === true) {
    io.stdout(modelsUsage);
    return 0;
  }
  if (positionals.length > 0) throw new CliUsageError(`unexpected argument '${positionals[0]}'.`);
  const client = connectClient(values);
  try {
    const list = await client.models.list();
    if (values.json === true) io.stdout(JSON.stringify(list, null, 2));
    else for (const model of list.data) io.stdout(model.id);
    return 0;
  } catch (error) {
    io.stderr(`aiaas models: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await client.close();
  }
}
