import { afterEach, describe, expect, it } from 'vitest';
import {
  BatchingInferenceEngine,
  type BatchingOptions,
} from '../../../../src/server/inference/batching-inference-engine.js';
import { InProcessInferenceEngine } from '../../../../src/server/inference/in-process-inference-engine.js';
import type { InferenceRunResult } from '../../../../src/server/inference/inference-engine.js';
import type { BatchRecord } from '../../../../src/server/inference/inference-observer.js';
import type { TensorValue } from '../../../../src/server/inference/tensor-value.js';
import { builtInModelFile } from '../../../../src/server/models/model-files.js';

const classify = 'ref-classify/1';
const embed = 'ref-embed/1';

function features(seed: number, rows = 1): TensorValue {
  const data = Float32Array.from({ length: rows * 100 }, (_, index) => Math.sin(seed * 31 + index) ** 2);
  return { type: 'float32', dims: [rows, 100], data };
}

function tokenRow(ids: number[]): Record<string, TensorValue> {
  return {
    input_ids: { type: 'int64', dims: [1, ids.length], data: BigInt64Array.from(ids.map(BigInt)) },
    attention_mask: { type: 'int64', dims: [1, ids.length], data: new BigInt64Array(ids.length).fill(1n) },
  };
}

describe('BatchingInferenceEngine', () => {
  let engine: BatchingInferenceEngine | undefined;
  let records: BatchRecord[] = [];

  async function start(options: Partial<BatchingOptions> = {}): Promise<BatchingInferenceEngine> {
    records = [];
    engine = new BatchingInferenceEngine(new InProcessInferenceEngine(), {
      enabled: true,
      maxBatchSize: 32,
      maxQueueDelayMs: 5,
      concurrency: 1,
      observer: { batchCompleted: (record) => records.push(record) },
      ...options,
    });
    await engine.load(classify, builtInModelFile('ref-classify'));
    await engine.load(embed, builtInModelFile('ref-embed'));
    records = [];
    return engine;
  }

  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it('runs concurrent requests for one model as one batch and gives each its own rows', async () => {
    const batching = await start();
    const solo: InferenceRunResult[] = [];
    for (let seed = 0; seed < 10; seed++) solo.push(await batching.run(classify, { input: features(seed) }));
    records = [];
    const together = await Promise.all(
      Array.from({ length: 10 }, (_, seed) => batching.run(classify, { input: features(seed) })),
    );
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ key: classify, requests: 10, rows: 10, succeeded: true });
    together.forEach((result, seed) => {
      expect(result.outputs.probability!.dims).toEqual([1, 1]);
      expect(result.outputs.probability!.data).toEqual(solo[seed]!.outputs.probability!.data);
    });
    // Each request is metered for its share: the shares add up to the run's compute time.
    const shares = together.reduce((sum, result) => sum + result.computeMilliseconds, 0);
    expect(shares).toBeCloseTo(records[0]!.computeSeconds * 1000, 6);
  });

  it('pads ref-embed rows of different lengths; the masked model gives the same vectors as alone', async () => {
    const batching = await start();
    const rows = [[5], [10, 11, 12, 13, 14, 15, 16], [400, 401, 402], [7, 7]];
    const padding = { input_ids: 6001, attention_mask: 0 };
    const solo: InferenceRunResult[] = [];
    for (const row of rows) solo.push(await batching.run(embed, tokenRow(row), undefined, { padding }));
    records = [];
    const together = await Promise.all(
      rows.map((row) => batching.run(embed, tokenRow(row), undefined, { padding })),
    );
    expect(records).toEqual([expect.objectContaining({ requests: 4, rows: 4 })]);
    together.forEach((result, index) => {
      const vector = result.outputs.embeddings!.data as Float32Array;
      const alone = solo[index]!.outputs.embeddings!.data as Float32Array;
      expect(vector).toHaveLength(128);
      const largestDifference = Math.max(
        ...vector.map((value, dimension) => Math.abs(value - alone[dimension]!)),
      );
      expect(largestDifference).toBeLessThan(1e-6);
    });
  });

  it('never puts more than maxBatchSize rows in a run and never splits a request', async () => {
    const batching = await start({ maxBatchSize: 4 });
    await Promise.all(
      [3, 3, 1, 6, 2].map((rows, seed) => batching.run(classify, { input: features(seed, rows) })),
    );
    expect(records.map((record) => record.rows)).toEqual([4, 3, 6, 2]);
    expect(records.reduce((sum, record) => sum + record.requests, 0)).toBe(5);
  });

  it('waits up to maxQueueDelayMs for company, unless the request asks not to wait', async () => {
    const batching = await start({ maxQueueDelayMs: 40 });
    await batching.run(classify, { input: features(1) });
    expect(records[0]!.queueSeconds).toBeGreaterThanOrEqual(0.035);
    await batching.run(classify, { input: features(1) }, undefined, { maxQueueDelayMs: 0 });
    expect(records[1]!.queueSeconds).toBeLessThan(0.03);
  });

  it('retries a failed batch request by request, so only the bad request fails', async () => {
    const batching = await start();
    const padding = { input_ids: 6001, attention_mask: 0 };
    const outcomes = await Promise.allSettled([
      batching.run(embed, tokenRow([1, 2]), undefined, { padding }),
      batching.run(embed, tokenRow([1, 999_999]), undefined, { padding }),
      batching.run(embed, tokenRow([3]), undefined, { padding }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(records[0]).toMatchObject({ requests: 0, rows: 3, succeeded: false });
    expect(records.slice(1).map((record) => record.succeeded)).toEqual([true, false, true]);
  });

  it('runs every request alone when batching is off', async () => {
    const batching = await start({ enabled: false });
    await Promise.all(
      Array.from({ length: 6 }, (_, seed) => batching.run(classify, { input: features(seed) })),
    );
    expect(records.map((record) => record.requests)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('drops a queued request whose signal fires, and reports queue depth meanwhile', async () => {
    const batching = await start({ maxQueueDelayMs: 1000 });
    const controller = new AbortController();
    const waiting = batching.run(classify, { input: features(2) }, undefined, { signal: controller.signal });
    expect(batching.queuedRequests().get(classify)).toBe(1);
    controller.abort(new Error('client left'));
    await expect(waiting).rejects.toThrow('client left');
    expect(batching.queuedRequests().get(classify)).toBe(0);
    expect(records).toEqual([]);
  });

  it('fails queued requests when closed', async () => {
    const batching = await start({ maxQueueDelayMs: 1000 });
    const waiting = batching.run(classify, { input: features(3) });
    await batching.close();
    await expect(waiting).rejects.toThrow('closed');
    await expect(batching.run(classify, { input: features(3) })).rejects.toThrow('closed');
  });
});
