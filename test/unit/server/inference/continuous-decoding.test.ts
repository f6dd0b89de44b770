import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatGenerator } from '../../../../src/server/generation/chat-generator.js';
import { ChatTokenizer } from '../../../../src/server/generation/chat-tokenizer.js';
import type { SamplingOptions } from '../../../../src/server/generation/model-contracts.js';
import { BatchingInferenceEngine } from '../../../../src/server/inference/batching-inference-engine.js';
import { sequenceStepCredit } from '../../../../src/server/inference/decoding-sequences.js';
import { InProcessInferenceEngine } from '../../../../src/server/inference/in-process-inference-engine.js';
import type { BatchRecord } from '../../../../src/server/inference/inference-observer.js';
import { InferenceWorker } from '../../../../src/server/inference/inference-worker.js';
import type { DecodingSequence } from '../../../../src/server/inference/sequence-decoder.js';
import { builtInModelFile, builtInModelsDir } from '../../../../src/server/models/model-files.js';

const key = 'ref-chat/1';
const modelDirectory = join(builtInModelsDir, 'ref-chat');
const decoderSpec = { modelDirectory, inputName: 'context', outputName: 'logits' };

const requests: { prompt: string; options: SamplingOptions }[] = [
  {
    prompt: 'User: Hello\nAssistant:',
    options: { temperature: 0, topP: 1, topK: 0, seed: 1, maxTokens: 12, stop: [] },
  },
  {
    prompt: 'User: Tell me about taxes\nAssistant:',
    options: { temperature: 1, topP: 1, topK: 0, seed: 7, maxTokens: 30, stop: [] },
  },
  {
    prompt: 'User: Jobs?\nAssistant:',
    options: { temperature: 0.7, topP: 0.9, topK: 40, seed: 3, maxTokens: 25, stop: ['.'] },
  },
  {
    prompt: 'The president',
    options: { temperature: 1.3, topP: 1, topK: 0, seed: 99, maxTokens: 40, stop: [] },
  },
  {
    prompt: 'User: Schools\nAssistant:',
    options: { temperature: 0.9, topP: 0.5, topK: 0, seed: 5, maxTokens: 8, stop: [] },
  },
  { prompt: 'We', options: { temperature: 1, topP: 1, topK: 5, seed: 12, maxTokens: 20, stop: ['\n'] } },
];

/** The models' own single-sequence generator on an in-process session: the reference output. */
async function referenceTexts(tokenizer: ChatTokenizer): Promise<string[]> {
  const worker = new InferenceWorker();
  await worker.load(key, builtInModelFile('ref-chat'));
  const generator = new ChatGenerator(tokenizer, async (contexts, rows) => {
    const { outputs } = await worker.run(key, {
      context: { type: 'int64', dims: [rows, tokenizer.contextLength], data: contexts },
    });
    return outputs.logits!.data as Float32Array;
  });
  const texts: string[] = [];
  for (const { prompt, options } of requests) {
    const run = generator.generate(tokenizer.encode(prompt), options);
    let next = await run.next();
    while (!next.done) next = await run.next();
    texts.push(next.value.text);
  }
  await worker.close();
  return texts;
}

async function decodeAll(sequence: DecodingSequence): Promise<{ text: string; steps: number }> {
  let text = '';
  let steps = 0;
  for (;;) {
    const { step, result } = await sequence.next();
    if (step !== undefined) {
      text += step.textDelta;
      steps++;
    }
    if (result !== undefined) {
      expect(result.text).toBe(text);
      sequence.close();
      return { text, steps };
    }
  }
}

describe('continuous decoding', () => {
  let engine: BatchingInferenceEngine | undefined;
  const records: BatchRecord[] = [];

  afterEach(async () => {
    await engine?.close();
    engine = undefined;
    records.length = 0;
  });

  async function start(maxBatchSize: number): Promise<BatchingInferenceEngine> {
    engine = new BatchingInferenceEngine(
      new InProcessInferenceEngine({ batchCompleted: (record) => records.push(record) }),
      {
        enabled: true,
        maxBatchSize,
        maxQueueDelayMs: 2,
        concurrency: 1,
      },
    );
    await engine.load(key, builtInModelFile('ref-chat'));
    await engine.loadDecoder(key, decoderSpec);
    return engine;
  }

  it('steps concurrent sequences together and gives each the text it gets alone', async () => {
    const tokenizer = await ChatTokenizer.load(modelDirectory);
    const expected = await referenceTexts(tokenizer);
    expect(new Set(expected).size).toBe(requests.length);
    const decoder = await start(4);
    const decoded = await Promise.all(
      requests.map(({ prompt, options }) =>
        decodeAll(decoder.openSequence(key, tokenizer.encode(prompt), options)),
      ),
    );
    expect(decoded.map(({ text }) => text)).toEqual(expected);
    const rows = records.map((record) => record.rows);
    expect(Math.max(...rows)).toBe(4);
    // Sequences leave as they finish, so the batch shrinks towards the end.
    expect(rows.at(-1)).toBe(1);
    expect(rows.reduce((sum, count) => sum + count, 0)).toBe(
      decoded.reduce((sum, { steps }) => sum + steps, 0),
    );
  });

  it('runs a sequence ahead of its reader by its step credit and no further', async () => {
    const decoder = await start(8);
    const options = { ...requests[1]!.options, maxTokens: 40 };
    const steps = () => records.reduce((sum, record) => sum + record.rows, 0);
    const settle = async () => {
      // The in-process host steps on later turns: let every step it can take happen.
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    };
    const sequence = decoder.openSequence(key, [1, 2, 3], options);
    await settle();
    // Nobody read anything yet: the host took its credit of steps and waits.
    expect(steps()).toBe(sequenceStepCredit);
    const first = await sequence.next();
    expect(first.step).toBeDefined();
    await settle();
    // One answer taken, one more step.
    expect(steps()).toBe(sequenceStepCredit + 1);
    sequence.close();
  });

  it('listens to the signal of the step waiting, not to one passed for an earlier step', async () => {
    const decoder = await start(8);
    const sequence = decoder.openSequence(key, [1, 2, 3], { ...requests[1]!.options, maxTokens: 40 });
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    const earlier = new AbortController();
    // Take every answer the credit bought, within one turn: the host gets no credit back before the step below.
    for (let taken = 0; taken < sequenceStepCredit; taken++) {
      expect((await sequence.next(earlier.signal)).step).toBeDefined();
    }
    const unsignalled = sequence.next();
    earlier.abort(new Error('the earlier request is gone'));
    expect((await unsignalled).step).toBeDefined();
    sequence.close();
  });

  it('answers a sequence with nothing to generate with its result alone', async () => {
    const decoder = await start(8);
    const sequence = decoder.openSequence(key, [1, 2, 3], { ...requests[0]!.options, maxTokens: 0 });
    expect(await sequence.next()).toEqual({
      result: { text: '', completionTokens: 0, finishReason: 'length' },
      computeMilliseconds: 0,
    });
    expect(records).toEqual([]);
  });

  it('rejects a waiting step when its signal fires, and a closed sequence steps no more', async () => {
    const decoder = await start(8);
    const sequence = decoder.openSequence(key, [1, 2, 3], requests[1]!.options);
    const controller = new AbortController();
    const step = sequence.next(controller.signal);
    controller.abort(new Error('gone'));
    await expect(step).rejects.toThrow('gone');
    sequence.close();
    await expect(sequence.next()).rejects.toThrow('closed');
  });
});
