import { createHash } from 'node:crypto';
import type { FaultDirective, FaultKind } from './fault-directive.js';

export interface ChaosInjectorOptions {
  /** Share of attempts that get a fault, 0 to 1. */
  rate: number;
  /** Same seed, same decisions: a failing run can be replayed exactly. */
  seed: number;
  /**
   * The kinds to pick from. Default: `status` (429 with a retry-after of a few ms, or 503),
   * `reset`, `drop_after`, `malformed_after`, `stall_after`.
   */
  kinds?: readonly FaultKind[];
  /** The statuses a `status` fault picks from. Default `[429, 503]`. */
  statuses?: readonly number[];
}

export const defaultChaosKinds: readonly FaultKind[] = [
  'status',
  'reset',
  'drop_after',
  'malformed_after',
  'stall_after',
];

const twoTo53 = 2 ** 53;

/**
 * Injects faults into a share of attempts, server-wide. Each decision is a pure function of
 * SHA-256(`seed|key|attempt`): no `Math.random`, no shared counter, so the same seed gives the
 * same faults whatever the order or concurrency of requests. A call without an Idempotency-Key
 * is identified by its request fingerprint (e.g. the body's hash) instead.
 *
 * @example
 * const chaos = new ChaosInjector({ rate: 0.2, seed: 42 });
 * const fault = chaos.decide('idem-1', 1, bodyHash); // a FaultDirective, or undefined (no fault)
 */
export class ChaosInjector {
  readonly rate: number;
  readonly seed: number;
  readonly #kinds: readonly FaultKind[];
  readonly #statuses: readonly number[];

  constructor(options: ChaosInjectorOptions) {
    if (!(options.rate >= 0 && options.rate <= 1)) {
      throw new RangeError(`chaos rate must be within 0..1, got ${options.rate}.`);
    }
    if (!Number.isSafeInteger(options.seed))
      throw new RangeError(`chaos seed must be an integer, got ${options.seed}.`);
    const kinds = options.kinds ?? defaultChaosKinds;
    if (kinds.length === 0) throw new RangeError('chaos kinds must not be empty.');
    const statuses = options.statuses ?? [429, 503];
    if (
      statuses.length === 0 ||
      statuses.some((status) => !Number.isInteger(status) || status < 400 || status > 599)
    ) {
      throw new RangeError(`chaos statuses must be 4xx or 5xx codes, got ${statuses.join(', ')}.`);
    }
    this.rate = options.rate;
    this.seed = options.seed;
    this.#kinds = [...kinds];
    this.#statuses = [...statuses];
  }

  /**
   * The fault for this attempt (1-based) of a logical call, or undefined. The result never has
   * `times`: every attempt gets its own decision.
   */
  decide(
    idempotencyKey: string | undefined,
    attempt: number,
    requestFingerprint: string,
  ): FaultDirective | undefined {
    if (this.rate === 0) return undefined;
    // Prefixes keep a key from colliding with a fingerprint that happens to be spelled the same.
    const identity =
      idempotencyKey === undefined ? `fingerprint:${requestFingerprint}` : `key:${idempotencyKey}`;
    const digest = createHash('sha256').update(`${this.seed}|${identity}|${attempt}`, 'utf8').digest();
    // 53 bits give a uniform number in [0, 1) with no rounding bias.
    const draw = Number(digest.readBigUInt64BE(0) >> 11n) / twoTo53;
    if (draw >= this.rate) return undefined;
    const kind = this.#kinds[digest.readUInt32BE(8) % this.#kinds.length] as FaultKind;
    const parameter = digest.readUInt32BE(12);
    return this.#directive(kind, parameter);
  }

  #directive(kind: FaultKind, parameter: number): FaultDirective {
    switch (kind) {
      case 'status': {
        const status = this.#statuses[parameter % this.#statuses.length] as number;
        // A short retry-after keeps chaos runs fast while still exercising the header path.
        return status === 429 ? { kind, status, retryAfterMs: 5 + (parameter % 20) } : { kind, status };
      }
      case 'reset':
        return { kind };
      case 'delay_ms':
        return { kind, milliseconds: 10 + (parameter % 90) };
      case 'chunk_delay_ms':
        return { kind, milliseconds: 1 + (parameter % 20) };
      case 'drop_after':
      case 'malformed_after':
      case 'stall_after':
        // Between 1 and 8 events: inside the first few tokens, where most clients have buffered nothing yet.
        return { kind, events: 1 + (parameter % 8) };
    }
  }
}
