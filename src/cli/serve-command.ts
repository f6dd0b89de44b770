import { parseArgs } from 'node:util';
import { type ReferenceServer, startReferenceServer } from '../server/reference-server.js';
import { type ServerLogger, verboseServerLogger } from '../server/server-logger.js';
import { type CliIo, CliUsageError } from './cli-io.js';
import { helpFlagRow, helpRows } from './help-text.js';
import {
  type InferenceSettings,
  inferenceFlagRows,
  inferenceFlags,
  inferenceOptionsOf,
  inferenceSettingsOf,
} from './serve-inference-flags.js';
import {
  type PipelineSettings,
  pipelineFlagRows,
  pipelineFlags,
  pipelineOptionsOf,
  pipelineSettingsOf,
} from './serve-pipeline-flags.js';

export const serveUsage = `Usage: aiaas serve [options]

Start the reference model server (OpenAI-compatible /v1 and Open Inference Protocol /v2).

Options:
${helpRows([
  ['--host <host>', 'interface to listen on (default 127.0.0.1)'],
  ['--port <port>', 'TCP port, 0 for any free one (default 8000)'],
  ['--models <dir>', 'Triton-layout repository <dir>/<model>/<version>/model.onnx to serve too'],
  ['--max-deployed-models <n>', 'models one API key may deploy at once (default 8)'],
  ['--max-deployed-bytes <n>', 'bytes of ONNX files one API key may deploy (default 256 MiB)'],
  ['--seed <n>', 'sampling seed for requests without one (default 0)'],
  ['--api-key <key>', 'accept this API key; repeat for more keys (none: open, development mode)'],
  ...pipelineFlagRows,
  ...inferenceFlagRows,
  helpFlagRow,
])}`;

export interface ServeSettings extends PipelineSettings, InferenceSettings {
  host: string;
  port: number;
  modelsDir: string | undefined;
  maxDeployedModelsPerTenant: number | undefined;
  maxDeployedBytesPerTenant: number | undefined;
  seed: number;
  apiKeys: string[];
}

const serveOptions = {
  host: { type: 'string' },
  port: { type: 'string' },
  models: { type: 'string' },
  'max-deployed-models': { type: 'string' },
  'max-deployed-bytes': { type: 'string' },
  seed: { type: 'string' },
  'api-key': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
  ...pipelineFlags,
  ...inferenceFlags,
} as const;

function integerOption(
  value: string | undefined,
  name: string,
  fallback: number,
  minimum: number,
  maximum: number,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^-?\d+$/.test(value) || parsed < minimum || parsed > maximum) {
    throw new CliUsageError(`--${name} must be an integer from ${minimum} to ${maximum}, got '${value}'.`);
  }
  return parsed;
}

function optionalPositive(value: string | undefined, name: string): number | undefined {
  return value === undefined ? undefined : integerOption(value, name, 0, 1, Number.MAX_SAFE_INTEGER);
}

/**
 * Parses `aiaas serve` arguments; undefined means help was asked for.
 *
 * @example
 * parseServeArguments(['--port', '0', '--api-key', 'sk-a', '--api-key', 'sk-b']);
 */
export function parseServeArguments(args: readonly string[]): ServeSettings | undefined {
  const parse = () =>
    parseArgs({ args: [...args], options: serveOptions, strict: true, allowPositionals: false });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    // parseArgs names the offending flag; it becomes a usage error (exit code 2).
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help === true) return undefined;
  return {
    host: values.host ?? '127.0.0.1',
    port: integerOption(values.port, 'port', 8000, 0, 65535),
    modelsDir: values.models,
    maxDeployedModelsPerTenant: optionalPositive(values['max-deployed-models'], 'max-deployed-models'),
    maxDeployedBytesPerTenant: optionalPositive(values['max-deployed-bytes'], 'max-deployed-bytes'),
    seed: integerOption(values.seed, 'seed', 0, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    apiKeys: values['api-key'] ?? [],
    ...pipelineSettingsOf(values),
    ...inferenceSettingsOf(values),
  };
}

// The server's own start-up line (reference-server.ts). The command prints a fuller banner on
// stdout, so the line would say the same thing twice.
const serverStartNotice = 'reference server listening';

/** Every server line on stderr (requests served, warnings, errors) but its start-up notice. */
const serveLogger: ServerLogger = {
  ...verboseServerLogger,
  info(message, fields) {
    if (message !== serverStartNotice) verboseServerLogger.info(message, fields);
  },
};

/** Resolves on the first SIGINT or SIGTERM. */
function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * `aiaas serve`: starts the server, prints its URL and models, and closes it gracefully on
 * SIGINT or SIGTERM (in-flight requests finish first). Returns the exit code.
 *
 * @example
 * process.exitCode = await serveCommand(['--port', '8000'], processIo);
 */
export async function serveCommand(args: readonly string[], io: CliIo): Promise<number> {
  const settings = parseServeArguments(args);
  if (settings === undefined) {
    io.stdout(serveUsage);
    return 0;
  }
  const stopped = shutdownSignal();
  let server: ReferenceServer;
  try {
    server = await startReferenceServer({
      host: settings.host,
      port: settings.port,
      seed: settings.seed,
      apiKeys: settings.apiKeys,
      ...(settings.modelsDir === undefined ? {} : { modelsDir: settings.modelsDir }),
      ...(settings.maxDeployedModelsPerTenant === undefined
        ? {}
        : { maxDeployedModelsPerTenant: settings.maxDeployedModelsPerTenant }),
      ...(settings.maxDeployedBytesPerTenant === undefined
        ? {}
        : { maxDeployedBytesPerTenant: settings.maxDeployedBytesPerTenant }),
      ...pipelineOptionsOf(settings),
      ...inferenceOptionsOf(settings),
      logger: serveLogger,
    });
  } catch (error) {
    io.stderr(`aiaas serve: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  io.stdout(`aiaas reference server listening on ${server.url}`);
  io.stdout(`models: ${server.models.join(', ')}`);
  io.stdout(`OpenAI base URL: ${server.url}/v1   OIP base URL: ${server.url}/v2`);
  io.stdout(
    settings.apiKeys.length === 0
      ? 'auth: none (development mode)'
      : `auth: ${settings.apiKeys.length} API key(s)`,
  );
  const signal = await stopped;
  io.stderr(`aiaas serve: ${signal} received, finishing in-flight requests`);
  await server.close();
  return 0;
}
