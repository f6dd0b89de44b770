import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
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

// A restarted server on the same data directory goes on with a running job from its last
// checkpoint, and ends where an uninterrupted run of the same seed ends.

const key = 'sk-ft-resume';
const dataDir = mkdtempSync(join(tmpdir(), 'aiaas-ft-resume-'));
const servers: ReferenceServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<ReferenceServer> {
  const server = await startReferenceServer({ port: 0, apiKeys: [key], dataDir, logger: silentServerLogger });
  servers.push(server);
  return server;
}

const epochs = 80;
const body = (file: string) => ({
  model: 'ref-classify',
  training_file: file,
  seed: 17,
  hyperparameters: { n_epochs: epochs, batch_size: 16 },
});

let fineTunedModel: string;

describe('resuming after a restart', () => {
  it('continues a running job from its last checkpoint to the same end as an uninterrupted run', async () => {
    const first = await start();
    const text = jsonl(ruleExamples(300, 100, 4));
    const file = await uploadTrainingFile(first.url, key, text);
    const created = await createJob(first.url, key, body(file));
    const id = created.body.id as string;
    await waitForJob(first.url, key, id, (job) => job.trained_examples >= 2 * 300);
    await first.close();
    const [tenantDir] = readdirSync(join(dataDir, 'fine-tuning'));
    const kept = JSON.parse(readFileSync(join(dataDir, 'fine-tuning', tenantDir!, `${id}.json`), 'utf8'));
    expect(kept.status).toBe('running');
    const stoppedAt = kept.checkpoints.length as number;
    expect(stoppedAt).toBeGreaterThanOrEqual(2);
    expect(stoppedAt).toBeLessThan(epochs);

    const second = await start();
    const resumed = await waitForJob(second.url, key, id);
    expect(resumed.status).toBe('succeeded');
    const events = (await getJson(second.url, key, `/v1/fine_tuning/jobs/${id}/events?limit=100`)).body.data;
    expect(
      events.some((event: { message: string }) => event.message.includes(`resumed after epoch ${stoppedAt}`)),
    ).toBe(true);
    const checkpoints = (await getJson(second.url, key, `/v1/fine_tuning/jobs/${id}/checkpoints?limit=100`))
      .body.data;
    expect(checkpoints.map((checkpoint: { metrics: { epoch: number } }) => checkpoint.metrics.epoch)).toEqual(
      Array.from({ length: epochs }, (_, index) => epochs - index),
    );

    // The same data and seed without a restart: the last epoch's loss is the same to the bit.
    const again = await createJob(second.url, key, body(await uploadTrainingFile(second.url, key, text)));
    const uninterrupted = await waitForJob(second.url, key, again.body.id);
    expect(uninterrupted.status).toBe('succeeded');
    const reference = (
      await getJson(second.url, key, `/v1/fine_tuning/jobs/${again.body.id}/checkpoints?limit=1`)
    ).body.data[0];
    expect(checkpoints[0].metrics.train_loss).toBe(reference.metrics.train_loss);
    fineTunedModel = resumed.fine_tuned_model;
    await second.close();
  }, 120_000);

  it('serves the fine-tuned model again after a restart, until its tenant deletes it', async () => {
    const third = await start();
    // Unencoded: the colons of an ft: name are fine in a path segment.
    const model = fineTunedModel;
    const input = {
      inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 100], data: ruleExamples(1, 100, 5)[0]!.input }],
    };
    const infer = (server: ReferenceServer) =>
      requestJson(`${server.url}/v2/models/${model}/infer`, { body: input, headers: bearer(key) });
    expect((await infer(third)).status).toBe(200);
    const deleted = await requestJson(`${third.url}/v1/models/${model}`, {
      method: 'DELETE',
      headers: bearer(key),
    });
    expect(deleted.body.deleted).toBe(true);
    await third.close();
    const fourth = await start();
    expect((await infer(fourth)).status).toBe(404);
  }, 60_000);
});
