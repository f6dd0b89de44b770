import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type CliIo, CliUsageError } from './cli-io.js';
import { connectClient } from './connect-client.js';
import { helpRows } from './help-text.js';
import { connectionOptions, fixedProviderConnectionRows, parseCommandLine } from './parse-command-line.js';

/** Deploying speaks Triton's repository extension: the oip provider, whatever the flag says. */
const deployConnectionRows = fixedProviderConnectionRows;

export const deployUsage = `Usage: aiaas deploy <model.onnx> --name <name> [options]

Deploy your own ONNX model to the server (Triton's repository extension); it
serves as soon as this returns. Deploying a name again swaps in the new version.

Options:
${helpRows([
  ['--name <name>', 'the model name to serve it under (required)'],
  ['--version <n>', 'its version, a positive integer (default 1)'],
  ['--config <file>', "a Triton model configuration (JSON) to check the graph's inputs and outputs against"],
  ...deployConnectionRows,
])}`;

export const undeployUsage = `Usage: aiaas undeploy <name> [options]

Unload a model you deployed, once its in-flight requests have finished.

Options:
${helpRows(deployConnectionRows)}`;

function failed(command: string, io: CliIo, error: unknown): number {
  io.stderr(`aiaas ${command}: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

/**
 * `aiaas deploy <model.onnx> --name <n> [--version <v>] [--config <file>]`.
 *
 * @example
 * process.exitCode = await deployCommand(['./iris.onnx', '--name', 'iris', '--base-url', url], processIo);
 */
export async function deployCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: {
        ...connectionOptions,
        name: { type: 'string' },
        version: { type: 'string', default: '1' },
        config: { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    }),
  );
  if (values.help === true) {
    io.stdout(deployUsage);
    return 0;
  }
  const [file, extra] = positionals;
  if (file === undefined) throw new CliUsageError('name the ONNX file to deploy.');
  if (extra !== undefined) throw new CliUsageError(`unexpected argument '${extra}'.`);
  if (values.name === undefined) throw new CliUsageError('--name is required.');
  if (!/^[1-9][0-9]*$/.test(values.version)) {
    throw new CliUsageError(`--version must be a positive integer, got '${values.version}'.`);
  }
  const client = connectClient({ ...values, provider: 'oip' });
  try {
    const config = values.config === undefined ? undefined : await readFile(values.config, 'utf8');
    await client.inference.repository.load(values.name, { config, files: { [values.version]: file } });
    io.stdout(`deployed ${values.name} version ${values.version}: READY`);
    return 0;
  } catch (error) {
    return failed('deploy', io, error);
  } finally {
    await client.close();
  }
}

/**
 * `aiaas undeploy <name>`.
 *
 * @example
 * process.exitCode = await undeployCommand(['iris', '--base-url', url], processIo);
 */
export async function undeployCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({ args: [...args], options: connectionOptions, strict: true, allowPositionals: true }),
  );
  if (values.help === true) {
    io.stdout(undeployUsage);
    return 0;
  }
  const [name, extra] = positionals;
  if (name === undefined) throw new CliUsageError('name the model to undeploy.');
  if (extra !== undefined) throw new CliUsageError(`unexpected argument '${extra}'.`);
  const client = connectClient({ ...values, provider: 'oip' });
  try {
    await client.inference.repository.unload(name);
    io.stdout(`undeployed ${name}`);
    return 0;
  } catch (error) {
    return failed('undeploy', io, error);
  } finally {
    await client.close();
  }
}
