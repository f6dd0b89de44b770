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

/** The connection rows of a command that speaks one dialect whatever `--provider` says (deploy, train, eval). */
export const fixedProviderConnectionRows: readonly HelpRow[] = connectionRows.filter(
  ([usage]) => !usage.startsWith('--provider'),
);

export type ProviderFlag = 'openai' | 'oip' | 'ollama';

export function providerFlag(value: string | undefined): ProviderFlag {
  if (value === undefined) return 'openai';
  if (value === 'openai' || value === 'oip' || value === 'ollama') return value;
  throw new CliUsageError(`--provider must be openai, oip or ollama, got '${value}'.`);
}

/** A whole-number flag of at least `minimum`, or undefined when it was not given. */
export function integerFlag(name: string, value: string | undefined, minimum: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(parsed) || parsed < minimum) {
    throw new CliUsageError(`--${name} must be a whole number ≥ ${minimum}, got '${value}'.`);
  }
  return parsed;
}

/** A number flag within [minimum, maximum], or undefined when it was not given. */
export function numberFlag(
  name: string,
  value: string | undefined,
  minimum: number,
  maximum: number,
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !(parsed >= minimum && parsed <= maximum)) {
    throw new CliUsageError(`--${name} must be a number from ${minimum} to ${maximum}, got '${value}'.`);
  }
  return parsed;
}
