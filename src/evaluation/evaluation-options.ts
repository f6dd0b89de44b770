import type { Money } from '../cost/money.js';
import { InvalidOptionError } from '../errors/index.js';
import type { InferResult } from '../providers/oip/decoded-tensor.js';
import type { InferInput } from '../wire/oip/oip-schemas.js';
import type { LabelledData } from './labelled-batches.js';

/** An infer call's answer with its cost, as `client.inference.infer(...).withResponse()` gives it. */
export interface PricedInferResult {
  data: InferResult;
  /** Null when the client has no pricing. */
  cost: Money | null;
}

/**
 * What `evaluate()` needs of a client: OIP v2 `inference.infer`, which an `AiaasClient` has
 * (with `provider: 'oip'`, for aiaas/server, Triton, KServe or any OIP v2 server).
 */
export interface EvaluationClient {
  readonly inference: {
    infer(
      model: string,
      inputs: InferInput[],
      options: { signal?: AbortSignal | undefined; version?: string | undefined },
    ): { withResponse(): Promise<PricedInferResult> };
  };
}

/** How far an evaluation has come, after each batch. */
export interface EvaluationProgress {
  /** Examples scored so far. */
  examples: number;
  /** Infer calls finished so far. */
  batches: number;
  /** The cost of those calls, when priced. */
  cost: Money | null;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  client: EvaluationClient;
  /** A deployed binary classifier: one probability per row (`[n]`, `[n, 1]`, or `[n, 2]` softmax). */
  model: string;
  data: LabelledData;
  /** Examples per infer call (default 32). */
  batchSize?: number | undefined;
  /** Infer calls in flight at once (default 4). */
  concurrency?: number | undefined;
  /** The probability from which a prediction is positive (default 0.5). */
  threshold?: number | undefined;
  /** The input tensor's name (default `input`, as ref-classify and trained models name it). */
  inputName?: string | undefined;
  /** The output to read (default `probability`, or the model's only output). */
  outputName?: string | undefined;
  /** The model version (the server's default when omitted). */
  version?: string | undefined;
  onProgress?: ((progress: EvaluationProgress) => void) | undefined;
  /** Stops the evaluation: calls in flight are aborted and `evaluate()` rejects with `AbortError`. */
  signal?: AbortSignal | undefined;
}

export interface CheckedEvaluateOptions extends EvaluateOptions {
  batchSize: number;
  concurrency: number;
  threshold: number;
  inputName: string;
}

function refuse(option: string, allowed: string, value: unknown): never {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new InvalidOptionError(
    `Invalid evaluate() option \`${option}\`: got ${shown}; expected ${allowed}.`,
    {
      option,
      allowed,
    },
  );
}

function positiveInteger(value: number | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) refuse(option, 'a positive integer', value);
  return value;
}

/** Checks every option before any call is made; a bad one is an `InvalidOptionError` naming it. */
export function checkEvaluateOptions(options: EvaluateOptions): CheckedEvaluateOptions {
  if (typeof options !== 'object' || options === null) refuse('options', 'an object', options);
  const { client, model, data, threshold = 0.5, inputName = 'input' } = options;
  if (typeof client?.inference?.infer !== 'function') {
    refuse('client', "a client with inference.infer (new AiaasClient({ provider: 'oip', ... }))", client);
  }
  if (typeof model !== 'string' || model === '') refuse('model', 'a non-empty model name', model);
  const iterable =
    typeof data === 'object' && data !== null && (Symbol.iterator in data || Symbol.asyncIterator in data);
  if (!iterable) refuse('data', 'an array or (async) iterable of { input, label }', data);
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1))
    refuse('threshold', 'a number from 0 to 1', threshold);
  if (typeof inputName !== 'string' || inputName === '') refuse('inputName', 'a non-empty name', inputName);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function')
    refuse('onProgress', 'a function', options.onProgress);
  return {
    ...options,
    batchSize: positiveInteger(options.batchSize, 'batchSize', 32),
    concurrency: positiveInteger(options.concurrency, 'concurrency', 4),
    threshold,
    inputName,
  };
}
