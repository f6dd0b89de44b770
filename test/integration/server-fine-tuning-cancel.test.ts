import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { serverUsageListSchema } from '../../src/wire/aiaas/server-usage-schemas.js';
import {
  createJob,
  getJson,
  jsonl,
  ruleExamples,
  uploadTrainingFile,
  waitForJob,
} from './server-fine-tuning-helpers.js';
import { bearer, eventually } from './server-pipeline-helpers.js';
import { requestJson } from './server-test-client.js';

// Long jobs: cancelling one mid-training (billed for what ran), the file a job trains on, and the
// per-tenant and queue limits.

const [alice, bob, carol] = ['sk-ft-cancel-alice', 'sk-ft-cancel-bob', 'sk-ft-cancel-carol'];
let server: ReferenceServer;
let bigText: string;
beforeAll(async () => {
  server = await startReferenceServer({
    port: 0,
    apiKeys: [alice, bob, carol],
    maxDeployedModelsPerTenant: 1,
    maxActiveFineTuningJobsPerTenant: 2,
    maxQueuedFineTuningJobs: 2,
    logger: silentServerLogger,
  });
  bigText = jsonl(ruleExamples(2000, 100, 7));
});
afterAll(() => server.close());

/** A job far too long to finish during the test: it runs until cancelled. */
async function longJob(key: string) {
  const file = await uploadTrainingFile(server.url, key, bigText);
  const created = await createJob(server.url, key, {
    model: 'ref-classify',
    training_file: file,
    hyperparameters: { n_epochs: 1000, batch_size: 8 },
  });
  expect(created.status).toBe(200);
  return { file, id: created.body.id as string };
}

const cancel = (key: string, id: string) =>
  requestJson(`${server.url}/v1/fine_tuning/jobs/${id}/cancel`, { method: 'POST', headers: bearer(key) });

describe('a running job', () => {
  it('keeps its file from deletion (409), is cancelled mid-training, and is billed for what ran', async () => {
    const { file, id } = await longJob(alice);
    await waitForJob(server.url, alice, id, (job) => job.trained_examples > 0);
    const refused = await requestJson(`${server.url}/v1/files/${file}`, {
      method: 'DELETE',
      headers: bearer(alice),
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(id);

    const cancelled = await cancel(alice, id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const checkpoints = (await getJson(server.url, alice, `/v1/fine_tuning/jobs/${id}/checkpoints?limit=100`))
      .body.data;
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(checkpoints.length).toBeLessThan(1000);
    const job = (await getJson(server.url, alice, `/v1/fine_tuning/jobs/${id}`)).body;
    expect(job.trained_examples).toBe(2000 * checkpoints.length);
    expect(job.fine_tuned_model).toBeNull();

    // The worker stops within a batch; the last charge (the interrupted epoch's time) follows.
    const usage = await waitForCharges(alice, id, (charges) => charges.length === checkpoints.length + 1);
    expect(usage.reduce((sum, record) => sum + record.usage.bytes_in, 0)).toBe(
      Buffer.byteLength(bigText) * checkpoints.length,
    );
    expect(usage.at(-1)!.usage.compute_ms).toBeGreaterThan(0);
    expect(usage.reduce((sum, record) => sum + (record.usage.trained_examples ?? 0), 0)).toBe(
      2000 * checkpoints.length,
    );

    const deleted = await requestJson(`${server.url}/v1/files/${file}`, {
      method: 'DELETE',
      headers: bearer(alice),
    });
    expect(deleted.status).toBe(200);
  }, 60_000);
});

/** The job's charges in `GET /v1/usage`, once `enough` holds of them (polled, 20 s deadline). */
function waitForCharges(
  key: string,
  id: string,
  enough: (charges: ReturnType<typeof serverUsageListSchema.parse>['data']) => boolean,
) {
  return eventually(async () => {
    const usage = serverUsageListSchema.parse(
      (await requestJson(`${server.url}/v1/usage`, { headers: bearer(key) })).body,
    );
    const charges = usage.data.filter((record) => record.request_id === id);
    return enough(charges) ? charges : undefined;
  }, 20_000);
}

describe('limits', () => {
  it('refuses a tenant past its active jobs (429), and a full queue (429) for everyone', async () => {
    const first = await longJob(bob);
    const second = await longJob(bob);
    const file = await uploadTrainingFile(server.url, bob, bigText);
    const third = await createJob(server.url, bob, { model: 'ref-classify', training_file: file });
    expect(third.status).toBe(429);
    expect(third.body.error.message).toContain('not finished');
    // One trains, the other waits: with alice's next two the queue (2) is full.
    await waitForJob(server.url, bob, first.id, (job) => job.status === 'running');
    const alices = await longJob(alice);
    const aliceFile = await uploadTrainingFile(server.url, alice, bigText);
    const full = await createJob(server.url, alice, { model: 'ref-classify', training_file: aliceFile });
    expect(full.status).toBe(429);
    expect(full.body.error.message).toContain('queue is full');
    for (const [key, id] of [
      [bob, first.id],
      [bob, second.id],
      [alice, alices.id],
    ] as const) {
      expect((await cancel(key, id)).body.status).toBe('cancelled');
    }
  }, 60_000);
});

describe('deploying the trained model', () => {
  it('fails the job clearly when the tenant may deploy no more models', async () => {
    const file = await uploadTrainingFile(server.url, carol, jsonl(ruleExamples(50, 100, 12)));
    const body = { model: 'ref-classify', training_file: file, hyperparameters: { n_epochs: 1 } };
    const first = await waitForJob(server.url, carol, (await createJob(server.url, carol, body)).body.id);
    expect(first.status).toBe('succeeded');
    const second = await waitForJob(server.url, carol, (await createJob(server.url, carol, body)).body.id);
    expect(second.status).toBe('failed');
    expect(second.error.code).toBe('deployment_failed');
    expect(second.error.message).toContain('its limit');
    expect(second.fine_tuned_model).toBeNull();
  }, 60_000);
});
