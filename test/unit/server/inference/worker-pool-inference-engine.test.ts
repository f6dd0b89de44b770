import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPoolInferenceEngine } from '../../../../src/server/inference/worker-pool-inference-engine.js';
import { builtInModelFile, builtInModelsDir } from '../../../../src/server/models/model-files.js';

const messagePorts = () => process.getActiveResourcesInfo().filter((type) => type === 'MessagePort').length;

describe('WorkerPoolInferenceEngine', () => {
  let engine: WorkerPoolInferenceEngine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it('loads a model in every thread and runs it there', async () => {
    engine = new WorkerPoolInferenceEngine({ workers: 2 });
    const signature = await engine.load('ref-classify/1', builtInModelFile('ref-classify'));
    expect(signature.inputs[0]).toMatchObject({ name: 'input', type: 'float32', shape: [-1, 100] });
    const input = new Float32Array(200).fill(0.1);
    const results = await Promise.all(
      [0, 1, 2, 3].map(() =>
        engine!.run('ref-classify/1', { input: { type: 'float32', dims: [2, 100], data: input } }),
      ),
    );
    for (const result of results) {
      expect(result.outputs.probability!.dims).toEqual([2, 1]);
      expect(result.outputs.probability!.data).toEqual(results[0]!.outputs.probability!.data);
    }
    await expect(
      engine.run('no-such/1', { input: { type: 'float32', dims: [1], data: input } }),
    ).rejects.toThrow("No model is loaded as 'no-such/1'");
  });

  it('spreads sequences over the threads and decodes them there', async () => {
    engine = new WorkerPoolInferenceEngine({ workers: 2 });
    await engine.load('ref-chat/1', builtInModelFile('ref-chat'));
    const spec = {
      modelDirectory: join(builtInModelsDir, 'ref-chat'),
      inputName: 'context',
      outputName: 'logits',
    };
    await engine.loadDecoder('ref-chat/1', spec);
    const options = { temperature: 0, topP: 1, topK: 0, seed: 1, maxTokens: 5, stop: [] };
    const sequences = [0, 1].map(() => engine!.openSequence('ref-chat/1', [10, 20, 30], options));
    const texts = await Promise.all(
      sequences.map(async (sequence) => {
        let text = '';
        for (;;) {
          const { step, result } = await sequence.next();
          text += step?.textDelta ?? '';
          if (result !== undefined) return { text, result };
        }
      }),
    );
    // Greedy decoding of one prompt in two different threads: the same text.
    expect(texts[0]!.result).toEqual({ text: texts[0]!.text, completionTokens: 5, finishReason: 'length' });
    expect(texts[1]!.text).toBe(texts[0]!.text);
  });

  it('terminates its threads on close, leaving no message port behind', async () => {
    const before = messagePorts();
    engine = new WorkerPoolInferenceEngine({ workers: 2 });
    await engine.load('ref-classify/1', builtInModelFile('ref-classify'));
    expect(messagePorts()).toBe(before + 2);
    await engine.close();
    expect(messagePorts()).toBe(before);
    await expect(engine.load('ref-embed/1', builtInModelFile('ref-embed'))).rejects.toThrow('closed');
  });
});
