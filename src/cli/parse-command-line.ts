import { CliUsageError } from './cli-io.js';
import { type HelpRow, helpFlagRow } from './help-text.js';

/**
 * Runs a `parseArgs` call so that its mistakes (unknown flag, missing value) become
 * {@link CliUsageError}s, which the runner prints with the usage and exit code 2.
 *
 * @example
 * const { values } = parseCommandLine(() => parseArgs({ args, options, strict: true }));
 */
export function parseCommandLine<Parsed>(parse: () => Parsed): Parsed {
  try {
    return parse();
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
}

/** The flags every command that talks to a server shares. */
export const connectionOptions = {
  'base-url': { type: 'string' },
  'api-key': { type: 'string' },
  provider: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The help rows of {@link connectionOptions}; a command lays them out with its own (`helpRows`). */
export const connectionRows: readonly HelpRow[] = [
  ['--base-url <url>', 'server to call (default: $AIAAS_BASE_URL)'],
  ['--api-key <key>', 'API key (default: $AIAAS_API_KEY)'],
  ['--provider <name>', 'openai | oip | ollama (default openai)'],
  helpFlagRow,
];

export type ProviderFlag = 'openai' | 'oip' | 'ollama';

export function providerFlag(value: string | undefined): ProviderFlag {
  if (value === undefined) return 'openai';
  if (value === 'openai' || value === 'oip' || value === 'ollama') return value;
  throw new CliUsageError(`--provider must be openai, oip or ollama, got '${value}'.`);
}
