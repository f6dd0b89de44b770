import { afterEach, describe, expect, it } from 'vitest';
import { createInferenceEngine } from '../../../../src/server/inference/create-inference-engine.js';
import { resolveInferenceOptions } from '../../../../src/server/inference/inference-options.js';
import type { LanedInferenceEngine } from '../../../../src/server/inference/laned-inference-engine.js';
import type { TensorMap } from '../../../../src/server/inference/tensor-value.js';
import { builtInModelFile } from '../../../../src/server/models/model-files.js';

/** ref-embed over `rows` sequences of `length` tokens: slow enough to hold a thread a while. */
function embedFeeds(rows: number, length: number): TensorMap {
  const ids = new BigInt64Array(rows * length).map((_, index) => BigInt(5 + (index % 900)));
  const mask = new BigInt64Array(rows * length).fill(1n);
  return {
    input_ids: { type: 'int64', dims: [rows, length], data: ids },
    attention_mask: { type: 'int64', dims: [rows, length], data: mask },
  };
}

const classifyFeeds: TensorMap = {
  input: { type: 'float32', dims: [1, 100], data: new Float32Array(100).fill(0.1) },
};

describe('LanedInferenceEngine', () => {
  let engine: LanedInferenceEngine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it('runs a deployed (isolated) model on its own thread: a busy one never holds up the shared models', async () => {
    engine = createInferenceEngine(resolveInferenceOptions({ workers: 1, batching: false }));
    await engine.load('ref-classify/1', builtInModelFile('ref-classify'));
    await engine.load('tenant/embed-copy/1#1', builtInModelFile('ref-embed'), { isolated: true });
    const finished: string[] = [];
    // The isolated thread is busy with a large run while the shared one gets a small request.
    const slow = engine
      .run('tenant/embed-copy/1#1', embedFeeds(64, 256))
      .then(() => finished.push('isolated'));
    const fast = engine.run('ref-classify/1', classifyFeeds).then(() => finished.push('shared'));
    await Promise.all([slow, fast]);
    expect(finished).toEqual(['shared', 'isolated']);
    // The same two on one lane queue in order: the shared model waits behind the large run.
    await engine.load('embed-shared/1', builtInModelFile('ref-embed'));
    finished.length = 0;
    await Promise.all([
      engine.run('embed-shared/1', embedFeeds(64, 256)).then(() => finished.push('first')),
      engine.run('ref-classify/1', classifyFeeds).then(() => finished.push('second')),
    ]);
    expect(finished).toEqual(['first', 'second']);
  });

  it('unloads an isolated model from its lane, and answers for unknown keys as the shared lane does', async () => {
    engine = createInferenceEngine(resolveInferenceOptions({ workers: 1 }));
    await engine.load('tenant/classify-copy/1#1', builtInModelFile('ref-classify'), { isolated: true });
    const result = await engine.run('tenant/classify-copy/1#1', classifyFeeds);
    expect(result.outputs.probability!.dims).toEqual([1, 1]);
    expect([...engine.queuedRequests().values()].every((depth) => depth === 0)).toBe(true);
    await engine.unload('tenant/classify-copy/1#1');
    await expect(engine.run('tenant/classify-copy/1#1', classifyFeeds)).rejects.toThrow(
      "No model is loaded as 'tenant/classify-copy/1#1'",
    );
  });
});
