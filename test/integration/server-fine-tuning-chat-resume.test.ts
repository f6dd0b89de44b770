import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { policyConversations, trainedTokenCount } from './server-fine-tuning-chat-helpers.js';
import { createJob, getJson, uploadTrainingFile, waitForJob } from './server-fine-tuning-helpers.js';

// A ref-chat job goes on from its last checkpoint after a restart, and ends to the bit where an
// uninterrupted run of the same seed ends.

const key = 'sk-ft-chat-resume';
const dataDir = mkdtempSync(join(tmpdir(), 'aiaas-ft-chat-resume-'));
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

const epochs = 16;
const text = policyConversations(40);
const body = (file: string) => ({
  model: 'ref-chat',
  training_file: file,
  seed: 23,
  hyperparameters: { n_epochs: epochs, batch_size: 16 },
});

describe('a ref-chat job after a restart', () => {
  it('continues from its last checkpoint to the same end as an uninterrupted run', async () => {
    const tokens = await trainedTokenCount(text);
    const first = await start();
    const created = await createJob(first.url, key, body(await uploadTrainingFile(first.url, key, text)));
    const id = created.body.id as string;
    await waitForJob(first.url, key, id, (job) => job.trained_examples >= 2 * tokens);
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
    const last = (await getJson(second.url, key, `/v1/fine_tuning/jobs/${id}/checkpoints?limit=1`)).body
      .data[0];
    expect(last.metrics.epoch).toBe(epochs);

    const again = await createJob(second.url, key, body(await uploadTrainingFile(second.url, key, text)));
    const uninterrupted = await waitForJob(second.url, key, again.body.id);
    expect(uninterrupted.status).toBe('succeeded');
    const reference = (
      await getJson(second.url, key, `/v1/fine_tuning/jobs/${again.body.id}/checkpoints?limit=1`)
    ).body.data[0];
    expect(last.metrics.train_loss).toBe(reference.metrics.train_loss);
    // Two trainings and three server starts: ~35 s alone, over 120 s beside a full suite on 2 cores.
  }, 300_000);
});
