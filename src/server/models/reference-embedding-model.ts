import { join } from 'node:path';
import { ChatTokenizer } from '../generation/chat-tokenizer.js';
import { buildEmbeddingBatch, type EmbeddingBatch } from '../generation/embedding-input.js';
import type { UsageMeter } from '../http/usage-meter.js';
import type { InferenceEngine } from '../inference/inference-engine.js';
import { builtInModelsDir } from './model-files.js';
import type { ModelRegistry } from './model-registry.js';

/** Rows per model run: bounds the padded batch tensor when a request sends thousands of inputs. */
const rowsPerRun = 64;

/** An embedding batch from token ids, laid out as `buildEmbeddingBatch` lays out text. */
function batchOfIds(rows: readonly (readonly number[])[], padId: number, maxLength: number): EmbeddingBatch {
  const kept = rows.map((row) => row.slice(0, maxLength));
  const sequenceLength = Math.max(1, ...kept.map((row) => row.length));
  const inputIds = new BigInt64Array(kept.length * sequenceLength).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(kept.length * sequenceLength);
  kept.forEach((row, rowIndex) => {
    row.forEach((id, column) => {
      inputIds[rowIndex * sequenceLength + column] = BigInt(id);
      attentionMask[rowIndex * sequenceLength + column] = 1n;
    });
  });
  return {
    inputIds,
    attentionMask,
    batchSize: kept.length,
    sequenceLength,
    tokenCounts: kept.map((row) => row.length),
  };
}

/** The embedding of each input and the tokens embedded for it. */
export interface EmbeddingResult {
  vectors: Float32Array[];
  tokenCounts: number[];
}

/**
 * ref-embed as `/v1/embeddings` uses it: texts or token ids in, L2-normalised vectors out,
 * run through the inference engine in bounded batches and metered on the request.
 * Concurrent requests are batched by the engine; rows of different lengths are padded to
 * the longest with the pad id and mask 0 ({@link batchPadding}), which the model's masked
 * mean ignores.
 *
 * @example
 * const { vectors } = await embedding.embedTexts(['a cat', 'a dog'], context.meter);
 */
export class ReferenceEmbeddingModel {
  readonly name = 'ref-embed';
  readonly tokenizer: ChatTokenizer;
  readonly dimensions: number;
  /** Tokens embedded per input (the model's `contextLength`); longer inputs keep their first tokens and are metered for those only. */
  readonly maxInputTokens: number;
  /** How rows of different lengths share a batch: `input_ids` padded with the pad id, `attention_mask` with 0. */
  readonly batchPadding: Readonly<Record<string, number>>;
  readonly engineKey: string;
  readonly #engine: InferenceEngine;
  readonly #outputName: string;

  private constructor(
    tokenizer: ChatTokenizer,
    engine: InferenceEngine,
    engineKey: string,
    output: [string, number],
  ) {
    this.tokenizer = tokenizer;
    this.maxInputTokens = tokenizer.contextLength;
    this.#engine = engine;
    this.engineKey = engineKey;
    this.batchPadding = Object.freeze({ input_ids: tokenizer.padId, attention_mask: 0 });
    [this.#outputName, this.dimensions] = output;
  }

  static async load(engine: InferenceEngine, registry: ModelRegistry): Promise<ReferenceEmbeddingModel> {
    const entry = registry.resolve('ref-embed');
    // ref-embed has its own vocabulary (tokenizer.json) and input limit (config.json contextLength).
    const tokenizer = await ChatTokenizer.load(join(builtInModelsDir, 'ref-embed'));
    const names = entry.signature.inputs.map((input) => input.name);
    const output = entry.signature.outputs[0];
    const dimensions = output?.shape[1] ?? -1;
    if (
      !names.includes('input_ids') ||
      !names.includes('attention_mask') ||
      output === undefined ||
      dimensions <= 0
    ) {
      throw new Error(
        'ref-embed must take input_ids and attention_mask and return [batch, dimensions] embeddings.',
      );
    }
    return new ReferenceEmbeddingModel(tokenizer, engine, entry.engineKey, [output.name, dimensions]);
  }

  async embedTexts(texts: readonly string[], meter: UsageMeter): Promise<EmbeddingResult> {
    return this.#embedInParts(
      texts.length,
      (start, end) => buildEmbeddingBatch(this.tokenizer, texts.slice(start, end), this.maxInputTokens),
      meter,
    );
  }

  async embedTokenIds(rows: readonly (readonly number[])[], meter: UsageMeter): Promise<EmbeddingResult> {
    return this.#embedInParts(
      rows.length,
      (start, end) => batchOfIds(rows.slice(start, end), this.tokenizer.padId, this.maxInputTokens),
      meter,
    );
  }

  async #embedInParts(
    count: number,
    batchOf: (start: number, end: number) => EmbeddingBatch,
    meter: UsageMeter,
  ): Promise<EmbeddingResult> {
    const result: EmbeddingResult = { vectors: [], tokenCounts: [] };
    for (let start = 0; start < count; start += rowsPerRun) {
      const batch = batchOf(start, Math.min(count, start + rowsPerRun));
      const dims = [batch.batchSize, batch.sequenceLength];
      const { outputs, computeMilliseconds } = await this.#engine.run(
        this.engineKey,
        {
          input_ids: { type: 'int64', dims, data: batch.inputIds },
          attention_mask: { type: 'int64', dims, data: batch.attentionMask },
        },
        [this.#outputName],
        { padding: this.batchPadding },
      );
      meter.addComputeMs(computeMilliseconds);
      const data = outputs[this.#outputName]!.data as Float32Array;
      for (let row = 0; row < batch.batchSize; row++) {
        result.vectors.push(data.slice(row * this.dimensions, (row + 1) * this.dimensions));
      }
      result.tokenCounts.push(...batch.tokenCounts);
    }
    return result;
  }
}
