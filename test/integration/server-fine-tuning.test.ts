import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import {
  fineTuningJobEventListSchema,
  fineTuningJobListSchema,
  fineTuningJobSchema,
} from '../../src/wire/openai/fine-tuning-schemas.js';
import {
  createJob,
  getJson,
  jsonl,
  ruleExamples,
  uploadTrainingFile,
  waitForJob,
} from './server-fine-tuning-helpers.js';
import { bearer } from './server-pipeline-helpers.js';
import { requestJson } from './server-test-client.js';

// The fine-tuning jobs API's requests and its file checks: everything that needs no finished training.

const [alice, bob] = ['sk-ft-alice', 'sk-ft-bob'];
let server: ReferenceServer;
let goodFile: string;
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, apiKeys: [alice, bob], logger: silentServerLogger });
  goodFile = await uploadTrainingFile(server.url, alice, jsonl(ruleExamples(40, 100, 1)));
});
afterAll(() => server.close());

const create = (body: unknown, key = alice) => createJob(server.url, key, body);

/** Creates a job on `text` (uploaded as user_data, so the upload's own JSONL check lets it through) and waits for it to fail. */
async function failedJob(text: string, body: Record<string, unknown> = { model: 'ref-classify' }) {
  const file = await uploadTrainingFile(server.url, alice, text, 'user_data');
  const created = await create({ ...body, training_file: file });
  expect(created.status).toBe(200);
  const job = await waitForJob(server.url, alice, created.body.id);
  expect(job.status).toBe('failed');
  expect(fineTuningJobSchema.safeParse(job).success).toBe(true);
  return { job, file };
}

describe('POST /v1/fine_tuning/jobs: the request', () => {
  it("answers a validating job in OpenAI's shape with every default applied", async () => {
    const created = await create({ model: 'ref-classify', training_file: goodFile, suffix: 'demo' });
    expect(created.status).toBe(200);
    const job = fineTuningJobSchema.parse(created.body);
    expect(job).toMatchObject({
      object: 'fine_tuning.job',
      model: 'ref-classify',
      status: 'validating_files',
      training_file: goodFile,
      fine_tuned_model: null,
      user_provided_suffix: 'demo',
      hyperparameters: { n_epochs: 10, batch_size: 32, learning_rate_multiplier: 1, optimizer: 'adam' },
    });
    expect(job.id).toMatch(/^ftjob-/);
    expect(Number.isInteger(job.seed)).toBe(true);
    await requestJson(`${server.url}/v1/fine_tuning/jobs/${job.id}/cancel`, {
      method: 'POST',
      headers: bearer(alice),
    });
  });

  it('refuses unknown fields by name, at the top and in hyperparameters', async () => {
    const top = await create({ model: 'ref-classify', training_file: goodFile, temperature: 1 });
    expect(top.status).toBe(400);
    expect(top.body.error.message).toContain("'temperature'");
    expect(top.body.error.param).toBe('temperature');
    const nested = await create({
      model: 'ref-classify',
      training_file: goodFile,
      hyperparameters: { n_epochs: 2, momentum: 0.9 },
    });
    expect(nested.status).toBe(400);
    expect(nested.body.error.param).toBe('hyperparameters.momentum');
    const tooLong = await create({
      model: 'ref-classify',
      training_file: goodFile,
      hyperparameters: { n_epochs: 1001 },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.param).toBe('hyperparameters.n_epochs');
  });

  it('takes the extensions (architecture, optimizer, loss, l2, early stopping) for aiaas/sequential only', async () => {
    const architecture = { input_dim: 4, layers: [{ units: 1, activation: 'sigmoid' }] };
    const sequential = await create({
      model: 'aiaas/sequential',
      training_file: goodFile,
      architecture,
      hyperparameters: {
        optimizer: 'sgd',
        loss: 'binary_crossentropy',
        l2: 0.001,
        early_stopping_patience: 2,
      },
    });
    expect(sequential.status).toBe(200);
    expect(sequential.body.architecture).toEqual(architecture);
    expect(sequential.body.hyperparameters).toMatchObject({
      optimizer: 'sgd',
      l2: 0.001,
      early_stopping_patience: 2,
    });
    const noArchitecture = await create({ model: 'aiaas/sequential', training_file: goodFile });
    expect(noArchitecture.status).toBe(400);
    expect(noArchitecture.body.error.param).toBe('architecture');
    const wrongLoss = await create({
      model: 'aiaas/sequential',
      training_file: goodFile,
      architecture,
      hyperparameters: { loss: 'categorical_crossentropy' },
    });
    expect(wrongLoss.status).toBe(400);
    expect(wrongLoss.body.error.param).toBe('hyperparameters.loss');
    const refClassify = await create({ model: 'ref-classify', training_file: goodFile, architecture });
    expect(refClassify.status).toBe(400);
  });

  it("takes OpenAI's supervised method for the hyperparameters, and refuses other methods", async () => {
    const method = { type: 'supervised', supervised: { hyperparameters: { n_epochs: 3, batch_size: 8 } } };
    const created = await create({ model: 'ref-classify', training_file: goodFile, method });
    expect(created.status).toBe(200);
    expect(created.body.hyperparameters).toMatchObject({ n_epochs: 3, batch_size: 8 });
    expect(created.body.method).toMatchObject({
      type: 'supervised',
      supervised: { hyperparameters: { n_epochs: 3 } },
    });
    await requestJson(`${server.url}/v1/fine_tuning/jobs/${created.body.id}/cancel`, {
      method: 'POST',
      headers: bearer(alice),
    });
    const dpo = await create({ model: 'ref-classify', training_file: goodFile, method: { type: 'dpo' } });
    expect(dpo.status).toBe(400);
    expect(dpo.body.error.param).toBe('method.type');
    const both = await create({
      model: 'ref-classify',
      training_file: goodFile,
      method,
      hyperparameters: { n_epochs: 2 },
    });
    expect(both.status).toBe(400);
    expect(both.body.error.param).toBe('hyperparameters');
  });

  it('refuses models it cannot train (ref-chat trains on chat JSONL: server-fine-tuning-chat.test.ts)', async () => {
    const embed = await create({ model: 'ref-embed', training_file: goodFile });
    expect(embed.status).toBe(400);
    const missing = await create({ model: 'no-such-model', training_file: goodFile });
    expect(missing.status).toBe(404);
  });

  it("answers 404 naming training_file for another tenant's file or a missing one", async () => {
    const bobs = await create({ model: 'ref-classify', training_file: goodFile }, bob);
    expect(bobs.status).toBe(404);
    expect(bobs.body.error.param).toBe('training_file');
    const missing = await create({ model: 'ref-classify', training_file: 'file-nope' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.param).toBe('training_file');
    const validation = await create({
      model: 'ref-classify',
      training_file: goodFile,
      validation_file: 'file-nope',
    });
    expect(validation.body.error.param).toBe('validation_file');
  });
});

describe('validating the files: a bad file fails the job naming the file and line', () => {
  it('malformed JSON', async () => {
    const { job, file } = await failedJob(
      `${JSON.stringify({ input: 'good', label: 1 })}\n{"input": [1, 2\n`,
    );
    expect(job.error).toMatchObject({ code: 'invalid_training_file', param: 'training_file' });
    expect(job.error.message).toContain(file);
    expect(job.error.message).toContain('line 2');
    expect(job.error.message).toContain('not valid JSON');
  });

  it('the wrong number of features', async () => {
    const rows = ruleExamples(3, 100, 2);
    rows[2] = { ...rows[2]!, input: rows[2]!.input.slice(0, 37) };
    const { job } = await failedJob(jsonl(rows));
    expect(job.error.message).toContain('line 3');
    expect(job.error.message).toContain("'input' has 37 numbers; the model takes 100");
  });

  it('labels of one class only', async () => {
    const rows = ruleExamples(10, 100, 3).map((row) => ({ ...row, label: 1 }));
    const { job } = await failedJob(jsonl(rows));
    expect(job.error.message).toContain('same label');
  });

  it('an empty file', async () => {
    const { job } = await failedJob('\n\n');
    expect(job.error.message).toContain('holds no examples');
  });

  it('a label that is not 0 or 1, and the events say why', async () => {
    const { job } = await failedJob(`${JSON.stringify({ input: 'fine', label: 2 })}\n`);
    expect(job.error.message).toContain("'label' must be 0 or 1");
    const events = await getJson(server.url, alice, `/v1/fine_tuning/jobs/${job.id}/events`);
    const list = fineTuningJobEventListSchema.parse(events.body);
    expect(list.data[0]).toMatchObject({ level: 'error' });
    expect(list.data[0]!.message).toContain('Validation failed');
  });
});

describe('reading jobs', () => {
  it('lists newest first with a cursor, and another tenant sees none of them', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      const { job } = await failedJob('\n');
      ids.push(job.id);
    }
    const first = await getJson(server.url, alice, '/v1/fine_tuning/jobs?limit=2');
    const page = fineTuningJobListSchema.parse(first.body);
    expect(page.data.map((job) => job.id)).toEqual([ids[2], ids[1]]);
    expect(page.has_more).toBe(true);
    const next = await getJson(server.url, alice, `/v1/fine_tuning/jobs?limit=1&after=${ids[1]}`);
    expect(next.body.data[0].id).toBe(ids[0]);
    expect((await getJson(server.url, alice, '/v1/fine_tuning/jobs?limit=0')).status).toBe(400);
    expect((await getJson(server.url, alice, '/v1/fine_tuning/jobs?limit=101')).status).toBe(400);
    expect((await getJson(server.url, bob, '/v1/fine_tuning/jobs')).body.data).toEqual([]);
    expect((await getJson(server.url, bob, `/v1/fine_tuning/jobs/${ids[0]}`)).status).toBe(404);
    expect((await getJson(server.url, bob, `/v1/fine_tuning/jobs/${ids[0]}/events`)).status).toBe(404);
    const cancel = await requestJson(`${server.url}/v1/fine_tuning/jobs/${ids[0]}/cancel`, {
      method: 'POST',
      headers: bearer(bob),
    });
    expect(cancel.status).toBe(404);
  });

  it('refuses to cancel a finished job', async () => {
    const { job } = await failedJob('\n');
    const cancel = await requestJson(`${server.url}/v1/fine_tuning/jobs/${job.id}/cancel`, {
      method: 'POST',
      headers: bearer(alice),
    });
    expect(cancel.status).toBe(400);
    expect(cancel.body.error.code).toBe('job_not_cancellable');
  });
});

describe('options', () => {
  it('refuses impossible limits at start, naming the option', async () => {
    await expect(startReferenceServer({ port: 0, maxConcurrentTrainingJobs: 0 })).rejects.toThrow(
      /maxConcurrentTrainingJobs must be a positive integer/,
    );
    await expect(startReferenceServer({ port: 0, maxQueuedFineTuningJobs: 1.5 })).rejects.toThrow(
      /maxQueuedFineTuningJobs/,
    );
    await expect(startReferenceServer({ port: 0, maxActiveFineTuningJobsPerTenant: -1 })).rejects.toThrow(
      /maxActiveFineTuningJobsPerTenant/,
    );
  });
});
