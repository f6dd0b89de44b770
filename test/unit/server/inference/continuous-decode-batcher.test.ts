import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTokenizer } from '../../../../src/server/generation/chat-tokenizer.js';
import { ContinuousDecodeBatcher } from '../../../../src/server/inference/continuous-decode-batcher.js';
import { InferenceWorker } from '../../../../src/server/inference/inference-worker.js';
import type { DecodeReport } from '../../../../src/server/inference/sequence-messages.js';
import { builtInModelFile, builtInModelsDir } from '../../../../src/server/models/model-files.js';

const key = 'ref-chat/1';

describe('ContinuousDecodeBatcher', () => {
  let worker: InferenceWorker;
  let tokenizer: ChatTokenizer;

  beforeAll(async () => {
    worker = new InferenceWorker();
    await worker.load(key, builtInModelFile('ref-chat'));
    tokenizer = await ChatTokenizer.load(join(builtInModelsDir, 'ref-chat'));
  });

  afterAll(() => worker.close());

  it("frees each step's contexts and logits once every row is sampled", async () => {
    const handedOver: { contexts: BigInt64Array; logits: Float32Array }[] = [];
    const reports: DecodeReport[] = [];
    let reported: () => void = () => undefined;
    const batcher = new ContinuousDecodeBatcher({
      key,
      tokenizer,
      maxBatchSize: 4,
      runLogits: async (contexts, rows) => {
        const { outputs, computeMilliseconds } = await worker.run(key, {
          context: { type: 'int64', dims: [rows, tokenizer.contextLength], data: contexts },
        });
        const logits = outputs.logits!.data as Float32Array;
        expect(logits.length).toBe(rows * tokenizer.vocabSize);
        handedOver.push({ contexts, logits });
        return { logits, computeMilliseconds };
      },
      enqueue: (task) => void task(),
      report: (report) => {
        reports.push(report);
        reported();
      },
    });
    const options = { temperature: 1, topP: 1, topK: 0, seed: 7, maxTokens: 8, stop: [] };
    const whenReported = new Promise<void>((resolve) => {
      reported = resolve;
    });
    batcher.open(1, tokenizer.encode('User: Hello\nAssistant:'), options, 1);
    batcher.open(2, tokenizer.encode('The president'), options, 1);
    await whenReported;

    expect(reports[0]!.rows).toBe(2);
    expect(reports[0]!.answers.map((answer) => answer.step?.tokenId)).toEqual([
      expect.any(Number),
      expect.any(Number),
    ]);
    expect(handedOver).toHaveLength(1);
    expect(handedOver[0]!.contexts.byteLength).toBe(0);
    expect(handedOver[0]!.logits.byteLength).toBe(0);
  });
});
