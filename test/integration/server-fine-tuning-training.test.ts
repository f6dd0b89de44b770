import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { serverUsageListSchema } from '../../src/wire/aiaas/server-usage-schemas.js';
import {
  fineTuningJobCheckpointListSchema,
  fineTuningJobEventListSchema,
  fineTuningJobSchema,
} from '../../src/wire/openai/fine-tuning-schemas.js';
import {
  createJob,
  getJson,
  jsonl,
  oipAccuracy,
  ruleExamples,
  uploadTrainingFile,
  waitForJob,
} from './server-fine-tuning-helpers.js';
import { bearer } from './server-pipeline-helpers.js';
import { requestJson } from './server-test-client.js';

// Jobs that train to the end: fine-tuning ref-classify, aiaas/sequential from scratch, the deployed
// model's serving and deletion, and the training's billing.

const [alice, bob] = ['sk-ft-train-alice', 'sk-ft-train-bob'];
let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, apiKeys: [alice, bob], logger: silentServerLogger });
});
afterAll(() => server.close());

const heldOut = ruleExamples(400, 100, 99);

describe('fine-tuning ref-classify on a learnable rule (label: the first 10 inputs sum above 0)', () => {
  const epochs = 20;
  const training = ruleExamples(800, 100, 11);
  const text = jsonl(training);
  let job: ReturnType<typeof fineTuningJobSchema.parse>;

  beforeAll(async () => {
    const file = await uploadTrainingFile(server.url, alice, text);
    const created = await createJob(server.url, alice, {
      model: 'ref-classify',
      training_file: file,
      suffix: 'rule',
      seed: 5,
      hyperparameters: { n_epochs: epochs, learning_rate_multiplier: 5 },
    });
    expect(created.status).toBe(200);
    job = fineTuningJobSchema.parse(await waitForJob(server.url, alice, created.body.id));
  }, 120_000);

  it('succeeds and deploys ft:ref-classify:<org>:rule:<id>', () => {
    expect(job.error ?? null).toBeNull();
    expect(job.status).toBe('succeeded');
    expect(job.fine_tuned_model).toMatch(/^ft:ref-classify:key_[0-9a-f]{16}:rule:[0-9a-f]{8}$/);
    expect(job.finished_at).toBeGreaterThanOrEqual(job.created_at);
    expect(job.trained_examples).toBe(training.length * epochs);
  });

  it('beats the base model on held-out data by far', async () => {
    const base = await oipAccuracy(server.url, alice, 'ref-classify', heldOut);
    const tuned = await oipAccuracy(server.url, alice, job.fine_tuned_model!, heldOut);
    console.info(`held-out accuracy: ref-classify ${base.toFixed(3)}, fine-tuned ${tuned.toFixed(3)}`);
    expect(base).toBeLessThan(0.65);
    expect(tuned).toBeGreaterThan(0.85);
    expect(tuned - base).toBeGreaterThan(0.25);
  });

  it('reports one checkpoint and one metrics event per epoch, newest first', async () => {
    const checkpoints = fineTuningJobCheckpointListSchema.parse(
      (await getJson(server.url, alice, `/v1/fine_tuning/jobs/${job.id}/checkpoints?limit=100`)).body,
    );
    expect(checkpoints.data).toHaveLength(epochs);
    const [last] = checkpoints.data;
    expect(last!.metrics).toMatchObject({ epoch: epochs });
    expect(last!.fine_tuned_model_checkpoint).toBe(`${job.fine_tuned_model}:ckpt-step-${last!.step_number}`);
    for (const name of ['train_loss', 'accuracy', 'precision', 'recall', 'f1', 'roc_auc'])
      expect(typeof (last!.metrics as Record<string, unknown>)[name]).toBe('number');
    const steps = checkpoints.data.map((checkpoint) => checkpoint.step_number);
    expect(steps).toEqual([...steps].sort((a, b) => b - a));
    const events = fineTuningJobEventListSchema.parse(
      (await getJson(server.url, alice, `/v1/fine_tuning/jobs/${job.id}/events?limit=100`)).body,
    );
    expect(events.data.filter((event) => event.type === 'metrics')).toHaveLength(epochs);
    expect(events.data[0]!.message).toContain('successfully completed');
    const page = await getJson(server.url, alice, `/v1/fine_tuning/jobs/${job.id}/events?limit=2`);
    expect(page.body.has_more).toBe(true);
    const next = await getJson(
      server.url,
      alice,
      `/v1/fine_tuning/jobs/${job.id}/events?limit=2&after=${page.body.data[1].id}`,
    );
    expect(next.body.data[0].id).toBe(events.data[2]!.id);
  });

  it('bills compute time and data volume (examples × epochs, bytes) under aiaas-fine-tuning', async () => {
    const usage = serverUsageListSchema.parse(
      (await requestJson(`${server.url}/v1/usage`, { headers: bearer(alice) })).body,
    );
    // The job names its training charges, and the deployed model's READY time after them.
    const charges = usage.data.filter(
      (record) => record.request_id === job.id && record.model === 'aiaas-fine-tuning',
    );
    expect(charges.length).toBeGreaterThanOrEqual(epochs);
    expect(charges.reduce((sum, record) => sum + record.usage.bytes_in, 0)).toBe(
      Buffer.byteLength(text) * epochs,
    );
    expect(charges.reduce((sum, record) => sum + record.usage.compute_ms, 0)).toBeGreaterThan(0);
    expect(charges.reduce((sum, record) => sum + (record.usage.trained_examples ?? 0), 0)).toBe(
      training.length * epochs,
    );
    expect(charges.some((record) => Number(record.cost.amount) > 0)).toBe(true);
  });

  it('fine-tunes its own fine-tuned model further; another tenant cannot', async () => {
    const file = await uploadTrainingFile(server.url, alice, jsonl(training.slice(0, 100)));
    const body = { model: job.fine_tuned_model, training_file: file, hyperparameters: { n_epochs: 1 } };
    const again = await createJob(server.url, alice, body);
    expect(again.status).toBe(200);
    const done = await waitForJob(server.url, alice, again.body.id);
    expect(done.status).toBe('succeeded');
    expect(done.fine_tuned_model).toMatch(/^ft:ref-classify:key_[0-9a-f]{16}::[0-9a-f]{8}$/);
    const bobs = await createJob(server.url, bob, { ...body, training_file: 'file-x' });
    expect(bobs.status).toBe(404);
    expect(bobs.body.error.param).toBe('model');
  });

  it('serves the model to its tenant only, and DELETE /v1/models/{id} removes it', async () => {
    const model = encodeURIComponent(job.fine_tuned_model!);
    const input = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 100], data: heldOut[0]!.input }] };
    const bobs = await requestJson(`${server.url}/v2/models/${model}/infer`, {
      body: input,
      headers: bearer(bob),
    });
    expect(bobs.status).toBe(404);
    expect(
      (await requestJson(`${server.url}/v1/models/${model}`, { method: 'DELETE', headers: bearer(bob) }))
        .status,
    ).toBe(404);
    const deleted = await requestJson(`${server.url}/v1/models/${model}`, {
      method: 'DELETE',
      headers: bearer(alice),
    });
    expect(deleted.body).toEqual({ id: job.fine_tuned_model, object: 'model', deleted: true });
    const after = await requestJson(`${server.url}/v2/models/${model}/infer`, {
      body: input,
      headers: bearer(alice),
    });
    expect(after.status).toBe(404);
    expect(
      (await requestJson(`${server.url}/v1/models/${model}`, { method: 'DELETE', headers: bearer(alice) }))
        .status,
    ).toBe(404);
  });
});

describe('aiaas/sequential from scratch', () => {
  it('trains the requested network to 85% held-out accuracy on the rule', async () => {
    const inputDim = 20;
    const file = await uploadTrainingFile(server.url, bob, jsonl(ruleExamples(800, inputDim, 21)));
    const created = await createJob(server.url, bob, {
      model: 'aiaas/sequential',
      training_file: file,
      architecture: {
        input_dim: inputDim,
        layers: [
          { units: 16, activation: 'relu' },
          { units: 1, activation: 'sigmoid' },
        ],
      },
      seed: 3,
      hyperparameters: { n_epochs: 20, learning_rate_multiplier: 10 },
    });
    expect(created.status).toBe(200);
    const job = await waitForJob(server.url, bob, created.body.id);
    expect(job.status).toBe('succeeded');
    expect(job.fine_tuned_model).toMatch(/^ft:aiaas-sequential:key_[0-9a-f]{16}::[0-9a-f]{8}$/);
    const accuracy = await oipAccuracy(
      server.url,
      bob,
      job.fine_tuned_model,
      ruleExamples(400, inputDim, 98),
    );
    console.info(`aiaas/sequential 20-16-1 from scratch: held-out accuracy ${accuracy.toFixed(3)}`);
    expect(accuracy).toBeGreaterThan(0.85);
  }, 120_000);
});

describe('the other data shapes', () => {
  async function trainToEnd(key: string, body: Record<string, unknown>, lines: unknown[], valid?: unknown[]) {
    const file = await uploadTrainingFile(server.url, key, jsonl(lines));
    const validation =
      valid === undefined ? {} : { validation_file: await uploadTrainingFile(server.url, key, jsonl(valid)) };
    const created = await createJob(server.url, key, { ...body, training_file: file, ...validation });
    expect(created.status).toBe(200);
    const job = await waitForJob(server.url, key, created.body.id);
    expect(job.error).toBeNull();
    expect(job.status).toBe('succeeded');
    const checkpoints = await getJson(server.url, key, `/v1/fine_tuning/jobs/${job.id}/checkpoints`);
    return { job, last: checkpoints.body.data[0] };
  }

  it('ref-classify on text lines, with a validation file (valid_loss and metrics on it)', async () => {
    const words = [
      ['good', 'great', 'lovely', 'fine'],
      ['bad', 'awful', 'dreadful', 'poor'],
    ];
    const line = (index: number) => {
      const label = index % 2;
      return {
        input: `a ${words[label]![index % 4]} day and ${words[label]![(index + 1) % 4]} food`,
        label: 1 - label,
      };
    };
    const { last } = await trainToEnd(
      alice,
      { model: 'ref-classify', hyperparameters: { n_epochs: 3 } },
      Array.from({ length: 40 }, (_, index) => line(index)),
      Array.from({ length: 12 }, (_, index) => line(index + 40)),
    );
    expect(typeof last.metrics.valid_loss).toBe('number');
    expect(typeof last.metrics.accuracy).toBe('number');
  });

  it('aiaas/sequential softmax on class indexes and one-hot labels, and mse on numbers', async () => {
    const rows = ruleExamples(60, 4, 8).map((row, index) => ({
      input: row.input,
      label: index % 2 === 0 ? index % 3 : [0, 1, 2].map((each) => (each === index % 3 ? 1 : 0)),
    }));
    const softmax = await trainToEnd(
      bob,
      {
        model: 'aiaas/sequential',
        architecture: {
          input_dim: 4,
          layers: [
            { units: 8, activation: 'relu' },
            { units: 3, activation: 'softmax' },
          ],
        },
        hyperparameters: { n_epochs: 2 },
      },
      rows,
    );
    expect(softmax.job.hyperparameters.loss).toBe('categorical_crossentropy');
    const input = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: rows[0]!.input }] };
    const answer = await requestJson(
      `${server.url}/v2/models/${encodeURIComponent(softmax.job.fine_tuned_model)}/infer`,
      {
        body: input,
        headers: bearer(bob),
      },
    );
    expect(answer.body.outputs[0].shape).toEqual([1, 3]);
    const mse = await trainToEnd(
      bob,
      {
        model: 'aiaas/sequential',
        architecture: { input_dim: 4, layers: [{ units: 1, activation: 'linear' }] },
        hyperparameters: { n_epochs: 2, optimizer: 'sgd' },
      },
      ruleExamples(30, 4, 9).map((row) => ({ input: row.input, label: row.input[0]! * 2 })),
    );
    expect(mse.job.hyperparameters.loss).toBe('mse');
    expect(mse.last.metrics.accuracy ?? null).toBeNull();
  });
});
