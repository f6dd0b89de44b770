import { resolveCostBound } from '../../cost/cost-bounds.js';
import { estimateTokens } from '../../cost/cost-estimator.js';
import type { Money } from '../../cost/money.js';
import { makeUsage } from '../../cost/usage.js';
import { AiaasError, InvalidOptionError } from '../../errors/index.js';
import { FINE_TUNING_BILLING_MODEL } from '../../wire/aiaas/billed-usage.js';
import type { FineTuningJobCreateParams } from '../../wire/openai/fine-tuning-schemas.js';
import type { ClientContext } from '../client-context.js';
import { invalidRequest } from '../request-validation.js';
import { Files } from './files-resource.js';

/** aiaas/server's epochs for `n_epochs: "auto"` (or none given). */
export const AIAAS_DEFAULT_EPOCHS = 10;

/**
 * Options of `client.fineTuning.jobs.quote()`.
 *
 * @example
 * await client.fineTuning.jobs.quote(params, { maxComputeMs: 600_000 });
 */
export interface FineTuningQuoteOptions {
  /**
   * Examples one epoch trains. Default: counted in the training file, read from the provider: its
   * non-blank lines, or for ref-chat the tokens of its assistant replies (an o200k_base estimate).
   */
  trainingExamples?: number | undefined;
  /** Epochs to quote when `n_epochs` is `"auto"` or unset. Default 10, aiaas/server's choice. */
  autoEpochs?: number | undefined;
  /** The most training milliseconds to quote. Default: the client's `costBounds` for `aiaas-fine-tuning`. */
  maxComputeMs?: number | undefined;
  /** When the job will run (selects the price version). Default now. */
  at?: Date | undefined;
}

/**
 * What a fine-tuning job costs if it runs every epoch, priced as aiaas/server bills it: per epoch,
 * the training file's examples and bytes, plus the milliseconds it trains.
 */
export interface FineTuningQuote {
  /** The rate card's name for training, `aiaas-fine-tuning`. */
  readonly model: string;
  readonly currency: string;
  /** The examples and bytes of every epoch; compute comes on top. A job that stops early or is cancelled costs less. */
  readonly min: Money;
  /** `min` plus `maxComputeMs` of compute; undefined when compute is priced and no ceiling was given. */
  readonly max: Money | undefined;
  readonly epochs: number;
  /** Examples over all epochs (the `trained_examples` the job will be billed). */
  readonly trainedExamples: number;
  /** Training-file bytes over all epochs. */
  readonly bytesIn: number;
  readonly maxComputeMs: number | undefined;
}

function checkCount(value: number | undefined, option: string): void {
  if (value === undefined || (Number.isSafeInteger(value) && value >= 0)) return;
  throw new InvalidOptionError(`Invalid quote option \`${option}\`: got ${String(value)}.`, {
    option,
    allowed: 'a whole number >= 0',
  });
}

function epochsOf(params: FineTuningJobCreateParams, autoEpochs: number): number {
  const method = (params as { method?: { supervised?: { hyperparameters?: unknown } } }).method;
  const hyperparameters = (params.hyperparameters ?? method?.supervised?.hyperparameters) as
    | { n_epochs?: unknown }
    | undefined;
  const given = hyperparameters?.n_epochs;
  if (given === undefined || given === 'auto') return autoEpochs;
  if (typeof given === 'number' && Number.isSafeInteger(given) && given > 0) return given;
  throw invalidRequest(
    'hyperparameters.n_epochs',
    `must be a whole number > 0 or "auto", got ${String(given)}`,
  );
}

function jsonLines(bytes: Uint8Array): { line: number; text: string }[] {
  const lines = new TextDecoder().decode(bytes).split('\n');
  return lines.flatMap((text, index) => (text.trim() === '' ? [] : [{ line: index + 1, text }]));
}

/**
 * What one epoch of a ref-chat job trains: the tokens of each assistant reply (after the space
 * the chat template puts before it) and the newline or end-of-text that ends it, estimated with
 * o200k_base as ref-chat's tokenizer counts. Replies with `weight: 0` are not trained.
 */
function countReplyTokens(bytes: Uint8Array): number {
  let tokens = 0;
  for (const { line, text } of jsonLines(bytes)) {
    let messages: unknown;
    try {
      messages = (JSON.parse(text) as { messages?: unknown }).messages;
    } catch {
      messages = undefined;
    }
    if (!Array.isArray(messages)) {
      throw invalidRequest('training_file', `line ${line} is not a chat example ({"messages": [...]})`);
    }
    for (const message of messages as { role?: unknown; content?: unknown; weight?: unknown }[]) {
      if (message?.role !== 'assistant' || message.weight === 0) continue;
      tokens += estimateTokens(` ${typeof message.content === 'string' ? message.content : ''}`) + 1;
    }
  }
  return tokens;
}

/** A job on ref-chat or a model tuned from it trains on chat replies, billed by the token. */
function tunesChat(model: string): boolean {
  return model === 'ref-chat' || model.startsWith('ft:ref-chat:');
}

/**
 * The cost range of a fine-tuning job before it is created: the training file's size from the
 * provider's files API, its examples counted by reading it (unless given), times the epochs.
 */
export async function quoteFineTuningJob(
  context: ClientContext,
  params: FineTuningJobCreateParams,
  options: FineTuningQuoteOptions,
): Promise<FineTuningQuote> {
  checkCount(options.trainingExamples, 'trainingExamples');
  checkCount(options.autoEpochs, 'autoEpochs');
  checkCount(options.maxComputeMs, 'maxComputeMs');
  const catalog = await context.costs.catalog();
  if (catalog === undefined) {
    throw new AiaasError(
      'fineTuning.jobs.quote() needs `pricing` (a PriceCatalog, or "server") on the client.',
      {
        code: 'no_pricing',
      },
    );
  }
  const epochs = epochsOf(params, options.autoEpochs ?? AIAAS_DEFAULT_EPOCHS);
  const files = new Files(context);
  const file = await files.retrieve(params.training_file);
  const examples =
    options.trainingExamples ??
    (tunesChat(params.model) ? countReplyTokens : (bytes: Uint8Array) => jsonLines(bytes).length)(
      await files.content(params.training_file),
    );
  const trainedExamples = examples * epochs;
  const bytesIn = file.bytes * epochs;
  const maxComputeMs =
    options.maxComputeMs ??
    resolveCostBound(context.costs.costBounds, FINE_TUNING_BILLING_MODEL)?.maxComputeMs;
  const at = options.at ?? new Date();
  const usage = (computeMs: number) => makeUsage({ trainedExamples, bytesIn, computeMs }, 'estimated');
  const min = catalog.cost(FINE_TUNING_BILLING_MODEL, usage(0), at).total;
  // Without a ceiling, a second of compute shows whether the card prices compute at all.
  const withCompute = catalog.cost(FINE_TUNING_BILLING_MODEL, usage(maxComputeMs ?? 1000), at).total;
  const computePriced = withCompute.compare(min) > 0;
  const max = maxComputeMs !== undefined ? withCompute : computePriced ? undefined : min;
  return {
    model: FINE_TUNING_BILLING_MODEL,
    currency: min.currency,
    min,
    max,
    epochs,
    trainedExamples,
    bytesIn,
    maxComputeMs,
  };
}
