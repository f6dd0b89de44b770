import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/builders/tensor-builder.js';
import type { AiaasClient } from '../../src/client/aiaas-client.js';
import { AbortError, InvalidOptionError, NotFoundError, ValidationError } from '../../src/errors/index.js';
import { binaryClassificationMetrics } from '../../src/evaluation/classification-metrics.js';
import { evaluate } from '../../src/evaluation/evaluate.js';
import type { EvaluationClient, EvaluationProgress } from '../../src/evaluation/evaluation-options.js';
import type { LabelledExample } from '../../src/evaluation/labelled-batches.js';
import { failureOf } from '../support/failure-of.js';
import { useTestReferenceServer } from '../support/reference-fixture.js';

const reference = useTestReferenceServer({ provider: 'oip', maxRetries: 0 });

/** Seeded examples of 100 features; the label is a rule of the features, so both classes occur. */
function labelledExamples(count: number, seed: number): LabelledExample[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    const input = Array.from({ length: 100 }, () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    });
    const label = (input[0]! + input[1]! > 1 ? 1 : 0) as 0 | 1;
    return { input, label };
  });
}

/** What ref-classify says for every example, from one infer call of its own. */
async function expectedMetrics(client: AiaasClient, examples: LabelledExample[], threshold = 0.5) {
  const features = new Float32Array(examples.length * 100);
  for (const [row, example] of examples.entries()) features.set(example.input, row * 100);
  const result = await client.inference.infer('ref-classify', [
    tensor('input', features, [examples.length, 100]),
  ]);
  const output = result.outputs.find((candidate) => candidate.name === 'probability');
  if (output?.datatype !== 'FP32') throw new Error('ref-classify answered without an FP32 probability');
  return binaryClassificationMetrics(
    output.data,
    examples.map((example) => example.label),
    threshold,
  );
}

/** A client whose infer calls are counted while in flight (the real client does the work). */
function countingClient(client: AiaasClient) {
  const counts = { inFlight: 0, most: 0, calls: 0 };
  const counting: EvaluationClient = {
    inference: {
      infer: (model, inputs, options) => ({
        withResponse: async () => {
          counts.calls += 1;
          counts.inFlight += 1;
          counts.most = Math.max(counts.most, counts.inFlight);
          try {
            return await client.inference.infer(model, inputs, options).withResponse();
          } finally {
            counts.inFlight -= 1;
          }
        },
      }),
    },
  };
  return { counting, counts };
}

describe('evaluate() against ref-classify on aiaas/server (OIP v2)', () => {
  it('gives the metrics of the model’s own answers, batch by batch, and the ledger’s cost', async () => {
    const client = reference.client({ pricing: 'server' });
    const examples = labelledExamples(300, 7);
    const expected = await expectedMetrics(client, examples);
    const before = await client.ledger.entries();
    const progress: EvaluationProgress[] = [];
    const result = await evaluate({
      client,
      model: 'ref-classify',
      data: examples,
      batchSize: 32,
      concurrency: 3,
      onProgress: (update) => progress.push(update),
    });
    expect(result.examples).toBe(300);
    expect(result.accuracy).toBeCloseTo(expected.accuracy, 12);
    expect(result.precision).toBeCloseTo(expected.precision, 12);
    expect(result.recall).toBeCloseTo(expected.recall, 12);
    expect(result.f1).toBeCloseTo(expected.f1, 12);
    expect(result.rocAuc).toBeCloseTo(expected.rocAuc, 12);
    expect(result.logLoss).toBeCloseTo(expected.logLoss, 6);
    expect(result.confusionMatrix).toEqual({
      truePositives: expected.truePositives,
      falsePositives: expected.falsePositives,
      trueNegatives: expected.trueNegatives,
      falseNegatives: expected.falseNegatives,
    });
    expect(result.batches).toBe(10);
    expect(progress.map((update) => update.batches)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(progress.at(-1)?.examples).toBe(300);
    const calls = (await client.ledger.entries()).slice(before.length);
    expect(calls).toHaveLength(10);
    const ledgerCost = calls.reduce(
      (sum, entry) => sum.plus(entry.cost!),
      calls[0]!.cost!.minus(calls[0]!.cost!),
    );
    expect(result.cost?.isPositive()).toBe(true);
    expect(result.cost?.equals(ledgerCost)).toBe(true);
    expect(progress.at(-1)?.cost?.equals(ledgerCost)).toBe(true);
  });

  it('keeps at most `concurrency` calls in flight and reads an async iterable lazily', async () => {
    const { counting, counts } = countingClient(reference.client());
    let read = 0;
    async function* stream() {
      for (const example of labelledExamples(200, 11)) {
        read += 1;
        // Never more than the calls allowed in flight plus the batch being gathered.
        expect(read).toBeLessThanOrEqual(counts.calls * 10 + 10);
        yield example;
      }
    }
    const result = await evaluate({
      client: counting,
      model: 'ref-classify',
      data: stream(),
      batchSize: 10,
      concurrency: 2,
    });
    expect(result.examples).toBe(200);
    expect(counts.calls).toBe(20);
    expect(counts.most).toBeLessThanOrEqual(2);
    expect(result.cost).toBeNull();
  });

  it('moves the threshold: everything positive at 0', async () => {
    const client = reference.client();
    const examples = labelledExamples(40, 3);
    const result = await evaluate({ client, model: 'ref-classify', data: examples, threshold: 0 });
    expect(result.confusionMatrix.trueNegatives + result.confusionMatrix.falseNegatives).toBe(0);
    expect(result.recall).toBe(1);
  });

  it('names a bad example before sending its batch', async () => {
    const client = reference.client({ pricing: 'server' });
    const examples: unknown[] = labelledExamples(5, 1);
    (examples[3] as { input: number[] }).input = [1, 2, 3];
    (examples[4] as { label: number }).label = 2;
    const error = await failureOf(
      evaluate({ client, model: 'ref-classify', data: examples as LabelledExample[] }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).path).toBe('data.3.input');
    expect((error as ValidationError).message).toContain('has 3 numbers, but the first example has 100');
    expect(await client.ledger.entries()).toEqual([]);
    const labelError = await failureOf(
      evaluate({ client, model: 'ref-classify', data: [{ input: [1], label: 2 as 0 }] }),
    );
    expect((labelError as ValidationError).path).toBe('data.0.label');
    const empty = await failureOf(evaluate({ client, model: 'ref-classify', data: [] }));
    expect((empty as ValidationError).message).toContain('no examples');
  });

  it('a bad example further on fails the evaluation only once the calls in flight have settled', async () => {
    const { counting, counts } = countingClient(reference.client());
    const examples: LabelledExample[] = labelledExamples(80, 2);
    examples[75] = { input: [Number.NaN], label: 1 };
    const error = await failureOf(
      evaluate({ client: counting, model: 'ref-classify', data: examples, batchSize: 10, concurrency: 3 }),
    );
    expect((error as ValidationError).path).toBe('data.75.input');
    expect(counts.calls).toBeGreaterThan(0);
    expect(counts.inFlight).toBe(0);
  });

  it.each([
    ['batchSize', { batchSize: 0 }],
    ['concurrency', { concurrency: 1.5 }],
    ['threshold', { threshold: 2 }],
    ['model', { model: '' }],
    ['data', { data: 5 }],
  ])('refuses a bad %s option with InvalidOptionError', async (option, override) => {
    const client = reference.client();
    const error = await failureOf(
      evaluate({ client, model: 'ref-classify', data: labelledExamples(2, 1), ...(override as object) }),
    );
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe(option);
  });

  it("fails with the server's error for an unknown model", async () => {
    const client = reference.client();
    const error = await failureOf(evaluate({ client, model: 'no-such-model', data: labelledExamples(3, 1) }));
    expect(error).toBeInstanceOf(NotFoundError);
  });

  it('stops when its signal aborts, with AbortError', async () => {
    const client = reference.client();
    const controller = new AbortController();
    const error = await failureOf(
      evaluate({
        client,
        model: 'ref-classify',
        data: labelledExamples(200, 5),
        batchSize: 10,
        concurrency: 1,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }),
    );
    expect(error).toBeInstanceOf(AbortError);
  });
});
