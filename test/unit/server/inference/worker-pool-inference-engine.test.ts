import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPoolInferenceEngine } from '../../../../src/server/inference/worker-pool-inference-engine.js';
import { builtInModelFile } from '../../../../src/server/models/model-files.js';

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
      [0, 1, 2, 3].map(() => engine!.run('ref-classify/1', { input: { type: 'float32', dims: [2, 100], data: input } })),
    );
    for (const result of results) {
      expect(result.outputs.probability!.dims).toEqual([2, 1]);
      expect(result.outputs.probability!.data).toEqual(results[0]!.outputs.probability!.data);
    }
  });
});
