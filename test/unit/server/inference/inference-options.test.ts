import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { resolveInferenceOptions } from '../../../../src/server/inference/inference-options.js';
import { isBatchable } from '../../../../src/server/inference/model-signature.js';

describe('resolveInferenceOptions', () => {
  it('defaults to one worker per core but one (1 to 4), batching up to 32 rows without waiting', () => {
    expect(resolveInferenceOptions({})).toEqual({
      workers: Math.min(4, Math.max(1, availableParallelism() - 1)),
      batching: true,
      maxBatchSize: 32,
      maxQueueDelayMs: 0,
    });
    expect(
      resolveInferenceOptions({ workers: 0, batching: false, maxBatchSize: 1, maxQueueDelayMs: 5 }),
    ).toEqual({
      workers: 0,
      batching: false,
      maxBatchSize: 1,
      maxQueueDelayMs: 5,
    });
  });

  it('rejects impossible values, naming the option', () => {
    expect(() => resolveInferenceOptions({ workers: -1 })).toThrow(/workers/);
    expect(() => resolveInferenceOptions({ workers: 1.5 })).toThrow(/workers/);
    expect(() => resolveInferenceOptions({ maxBatchSize: 0 })).toThrow(/maxBatchSize/);
    expect(() => resolveInferenceOptions({ maxQueueDelayMs: -1 })).toThrow(/maxQueueDelayMs/);
    expect(() => resolveInferenceOptions({ maxQueueDelayMs: Number.NaN })).toThrow(/maxQueueDelayMs/);
  });
});

describe('isBatchable', () => {
  const tensor = (shape: number[]) => ({
    name: 't',
    type: 'float32' as const,
    declaredType: 'float32',
    shape,
  });

  it('needs a dynamic first dimension on every input and output', () => {
    expect(isBatchable({ inputs: [tensor([-1, 4])], outputs: [tensor([-1])] })).toBe(true);
    expect(isBatchable({ inputs: [tensor([1, 4])], outputs: [tensor([-1])] })).toBe(false);
    expect(isBatchable({ inputs: [tensor([-1, 4])], outputs: [tensor([])] })).toBe(false);
  });
});
