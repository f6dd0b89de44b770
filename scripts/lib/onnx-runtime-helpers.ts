import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { LogitsFunction } from '../../src/server/generation/model-contracts.js';

/** One thread: training scripts and tests share two cores with other work, and small models gain nothing from more. */
export function createSession(modelPath: string): Promise<InferenceSession> {
  return InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
}

/** Adapts a ref-chat session to the generator's {@link LogitsFunction}. */
export function sessionLogitsFunction(session: InferenceSession, contextLength: number): LogitsFunction {
  return async (contexts, batchSize) => {
    const outputs = await session.run({ context: new Tensor('int64', contexts, [batchSize, contextLength]) });
    return outputs.logits!.data as Float32Array;
  };
}

/**
 * Mean negative log-likelihood (natural log) of each target given its context row, from a
 * ref-chat session, computed in batches. Perplexity is `exp` of it.
 */
export async function meanNegativeLogLikelihood(
  logits: LogitsFunction,
  contexts: BigInt64Array,
  targets: Int32Array,
  contextLength: number,
  vocabSize: number,
  batchSize = 2048,
): Promise<number> {
  let total = 0;
  for (let start = 0; start < targets.length; start += batchSize) {
    const rows = Math.min(batchSize, targets.length - start);
    const output = await logits(
      contexts.subarray(start * contextLength, (start + rows) * contextLength),
      rows,
    );
    for (let row = 0; row < rows; row++) {
      const offset = row * vocabSize;
      let maximum = Number.NEGATIVE_INFINITY;
      for (let id = 0; id < vocabSize; id++) maximum = Math.max(maximum, output[offset + id]!);
      let sum = 0;
      for (let id = 0; id < vocabSize; id++) sum += Math.exp(output[offset + id]! - maximum);
      total += maximum + Math.log(sum) - output[offset + targets[start + row]!]!;
    }
  }
  return total / targets.length;
}
