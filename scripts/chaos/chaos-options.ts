import { parseArgs } from 'node:util';
import { type ChaosKind, chaosKinds, defaultChaosFaultMix } from './client-faults.js';

/** What one chaos run does; every field has a default small enough for a CI run. */
export interface ChaosRunOptions {
  /** Logical calls to make. */
  calls: number;
  /** Calls in flight at once. */
  concurrency: number;
  /**
   * Share of attempts the server faults (with its kinds), 0 to 1. Each client kind takes
   * `rate / kinds.length` of the calls, about what one server kind gets of the attempts.
   */
  rate: number;
  /** Seeds the call mix, the server's sampling and its chaos: the same seed replays the same run. */
  seed: number;
  /**
   * The fault mix: server kinds (`status`, `reset`, …) the server's chaos picks from, and client
   * kinds (`client_timeout`, `client_kill`). Default: the server's own default set and both client kinds.
   */
  kinds: readonly ChaosKind[];
  /** The hard budget as a share of what the planned calls can cost at most (their quotes). */
  budgetShare: number;
  /** Milliseconds a stream may go without data before the client gives up on the socket. */
  idleTimeoutMs: number;
  /** Retries per call after the first attempt (and reconnections per stream). */
  maxRetries: number;
}

export const defaultChaosRunOptions: ChaosRunOptions = {
  calls: 300,
  concurrency: 16,
  rate: 0.3,
  seed: 7,
  kinds: defaultChaosFaultMix,
  budgetShare: 1.8,
  idleTimeoutMs: 2000,
  maxRetries: 8,
};

function integerOption(text: string | undefined, name: string, fallback: number, minimum: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new RangeError(`--${name} must be an integer of at least ${minimum}, got '${text}'.`);
  }
  return value;
}

function shareOption(text: string | undefined, name: string, fallback: number, maximum = 1): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value >= 0 && value <= maximum)) {
    throw new RangeError(`--${name} must be within 0..${maximum}, got '${text}'.`);
  }
  return value;
}

function kindsOption(text: string | undefined): readonly ChaosKind[] {
  if (text === undefined) return defaultChaosRunOptions.kinds;
  const kinds = text.split(',').map((kind) => kind.trim());
  const unknown = kinds.filter((kind) => !(chaosKinds as readonly string[]).includes(kind));
  if (unknown.length > 0 || kinds.length === 0) {
    throw new RangeError(`--kinds takes a comma list of ${chaosKinds.join(', ')}; got '${text}'.`);
  }
  return kinds as ChaosKind[];
}

/**
 * Reads `--calls 10000 --concurrency 32 --rate 0.3 --seed 7` and friends; anything unknown
 * or out of range is a RangeError naming the flag, so a typo never runs a different experiment.
 *
 * @example
 * parseChaosArguments(['--calls', '500', '--seed', '3']); // { calls: 500, seed: 3, ...defaults }
 */
export function parseChaosArguments(args: readonly string[]): ChaosRunOptions {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      calls: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      seed: { type: 'string' },
      kinds: { type: 'string' },
      'budget-share': { type: 'string' },
      'idle-timeout': { type: 'string' },
      'max-retries': { type: 'string' },
    },
  });
  const defaults = defaultChaosRunOptions;
  return {
    calls: integerOption(values.calls, 'calls', defaults.calls, 1),
    concurrency: integerOption(values.concurrency, 'concurrency', defaults.concurrency, 1),
    rate: shareOption(values.rate, 'rate', defaults.rate),
    seed: integerOption(values.seed, 'seed', defaults.seed, 0),
    kinds: kindsOption(values.kinds),
    budgetShare: shareOption(values['budget-share'], 'budget-share', defaults.budgetShare, 1000),
    idleTimeoutMs: integerOption(values['idle-timeout'], 'idle-timeout', defaults.idleTimeoutMs, 1),
    maxRetries: integerOption(values['max-retries'], 'max-retries', defaults.maxRetries, 0),
  };
}
