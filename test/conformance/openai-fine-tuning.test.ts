import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import {
  fineTuningJobCheckpointSchema,
  fineTuningJobEventSchema,
  fineTuningJobSchema,
} from '../../src/wire/openai/fine-tuning-schemas.js';
import { jsonl, oipAccuracy, ruleExamples } from '../integration/server-fine-tuning-helpers.js';
import { eventually } from '../integration/server-pipeline-helpers.js';

// The official openai client's fineTuning.jobs, unchanged, against aiaas/server: upload a file,
// create a job, follow it to succeeded, and the fine-tuned model answers on OIP v2 (issue 19).

let server: ReferenceServer;
let client: OpenAI;
const apiKey = 'sk-conformance-fine-tuning';

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, apiKeys: [apiKey], logger: silentServerLogger });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 });
});
afterAll(() => server.close());

describe('the openai client: fine-tuning jobs', () => {
  it('uploads, creates, follows to succeeded, lists events and checkpoints, and the model answers', async () => {
    const file = await client.files.create({
      file: await toFile(Buffer.from(jsonl(ruleExamples(600, 100, 31))), 'rule.jsonl'),
      purpose: 'fine-tune',
    });
    const created = await client.fineTuning.jobs.create({
      model: 'ref-classify',
      training_file: file.id,
      suffix: 'conformance',
      seed: 9,
      hyperparameters: { n_epochs: 8, batch_size: 16, learning_rate_multiplier: 3 },
    });
    expect(fineTuningJobSchema.safeParse(created).success).toBe(true);
    expect(created.status).toBe('validating_files');

    const job = await eventually(async () => {
      const current = await client.fineTuning.jobs.retrieve(created.id);
      return ['succeeded', 'failed', 'cancelled'].includes(current.status) ? current : undefined;
    }, 60_000);
    expect(job.error ?? null).toBeNull();
    expect(job.status).toBe('succeeded');
    expect(job.fine_tuned_model).toMatch(/^ft:ref-classify:.+:conformance:/);

    const listed: string[] = [];
    for await (const each of client.fineTuning.jobs.list({ limit: 1 })) listed.push(each.id);
    expect(listed).toEqual([created.id]);
    const events: OpenAI.FineTuning.FineTuningJobEvent[] = [];
    for await (const event of client.fineTuning.jobs.listEvents(created.id, { limit: 5 })) events.push(event);
    expect(events.every((event) => fineTuningJobEventSchema.safeParse(event).success)).toBe(true);
    expect(events.filter((event) => event.type === 'metrics')).toHaveLength(8);
    const checkpoints: OpenAI.FineTuning.Jobs.FineTuningJobCheckpoint[] = [];
    for await (const checkpoint of client.fineTuning.jobs.checkpoints.list(created.id))
      checkpoints.push(checkpoint);
    expect(checkpoints).toHaveLength(8);
    expect(
      checkpoints.every((checkpoint) => fineTuningJobCheckpointSchema.safeParse(checkpoint).success),
    ).toBe(true);

    // The results file: one CSV row per epoch, the checkpoints' metrics, the tenant's to download.
    expect(job.result_files).toHaveLength(1);
    const results = await client.files.retrieve(job.result_files[0]!);
    expect(results).toMatchObject({
      purpose: 'fine-tune-results',
      filename: `${created.id}-step_metrics.csv`,
    });
    const csv = (await (await client.files.content(results.id)).text()).trim().split('\n');
    expect(csv[0]).toBe('step,epoch,train_loss,valid_loss,accuracy,precision,recall,f1,roc_auc');
    const byStep = new Map(checkpoints.map((checkpoint) => [checkpoint.step_number, checkpoint.metrics]));
    expect(csv.slice(1)).toHaveLength(8);
    for (const row of csv.slice(1)) {
      const [step, epoch, trainLoss] = row.split(',').map(Number);
      expect(byStep.get(step!)).toMatchObject({ epoch, train_loss: trainLoss });
    }

    const accuracy = await oipAccuracy(server.url, apiKey, job.fine_tuned_model!, ruleExamples(200, 100, 32));
    expect(accuracy).toBeGreaterThan(0.8);
    expect(await client.models.retrieve(job.fine_tuned_model!)).toMatchObject({
      id: job.fine_tuned_model,
      object: 'model',
      owned_by: job.organization_id,
    });
    const models: string[] = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(expect.arrayContaining(['ref-classify', job.fine_tuned_model]));
    const deleted = await client.models.delete(job.fine_tuned_model!);
    expect(deleted).toEqual({ id: job.fine_tuned_model, object: 'model', deleted: true });
    const after: string[] = [];
    for await (const model of client.models.list()) after.push(model.id);
    expect(after).not.toContain(job.fine_tuned_model);
  }, 90_000);

  it("cancels a job and reads the refusals as the client's typed errors", async () => {
    const file = await client.files.create({
      file: await toFile(Buffer.from(jsonl(ruleExamples(2000, 100, 33))), 'long.jsonl'),
      purpose: 'fine-tune',
    });
    const created = await client.fineTuning.jobs.create({
      model: 'ref-classify',
      training_file: file.id,
      hyperparameters: { n_epochs: 1000 },
    });
    const cancelled = await client.fineTuning.jobs.cancel(created.id);
    expect(cancelled.status).toBe('cancelled');
    const again = await client.fineTuning.jobs.cancel(created.id).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(OpenAI.BadRequestError);
    const missing = await client.fineTuning.jobs.retrieve('ftjob-nope').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    const embed = await client.fineTuning.jobs
      .create({ model: 'ref-embed', training_file: file.id })
      .catch((error: unknown) => error);
    expect(embed).toBeInstanceOf(OpenAI.BadRequestError);
  });
});
