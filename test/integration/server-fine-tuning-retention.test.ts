import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
import { bearer, eventually } from './server-pipeline-helpers.js';
import { requestJson } from './server-test-client.js';

// maxFinishedFineTuningJobsPerTenant: finished jobs do not pile up in memory or on disk, while
// running jobs and deployed models stay.

const [alice, bob] = ['sk-ft-keep-alice', 'sk-ft-keep-bob'];
const dataDir = mkdtempSync(join(tmpdir(), 'aiaas-ft-retention-'));
const start = () =>
  startReferenceServer({
    port: 0,
    apiKeys: [alice, bob],
    dataDir,
    maxFinishedFineTuningJobsPerTenant: 2,
    logger: silentServerLogger,
  });
let server: ReferenceServer;
afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const status = async (key: string, id: string) =>
  (await getJson(server.url, key, `/v1/fine_tuning/jobs/${id}`)).status;
const listed = async (key: string) =>
  ((await getJson(server.url, key, '/v1/fine_tuning/jobs')).body.data as { id: string }[]).map(
    (job) => job.id,
  );
const keptOnDisk = (id: string) =>
  readdirSync(join(dataDir, 'fine-tuning')).some((tenant) =>
    existsSync(join(dataDir, 'fine-tuning', tenant, `${id}.json`)),
  );

async function finishedJob(key: string, body: Record<string, unknown>, text: string) {
  const file = await uploadTrainingFile(server.url, key, text, 'user_data');
  const created = await createJob(server.url, key, { model: 'ref-classify', training_file: file, ...body });
  expect(created.status).toBe(200);
  return waitForJob(server.url, key, created.body.id);
}
const failedJob = async (key: string) => (await finishedJob(key, {}, '\n')).id as string;

describe('maxFinishedFineTuningJobsPerTenant', () => {
  it('drops the job that finished longest ago, never a running one or one whose model is deployed', async () => {
    server = await start();
    const bobs = await failedJob(bob);
    const deployed = await finishedJob(
      alice,
      { hyperparameters: { n_epochs: 1 } },
      jsonl(ruleExamples(40, 100, 3)),
    );
    expect(deployed.status).toBe('succeeded');
    const longFile = await uploadTrainingFile(server.url, alice, jsonl(ruleExamples(2000, 100, 7)));
    const created = await createJob(server.url, alice, {
      model: 'ref-classify',
      training_file: longFile,
      hyperparameters: { n_epochs: 1000, batch_size: 8 },
    });
    const running = created.body.id as string;
    await waitForJob(server.url, alice, running, (job) => job.trained_examples > 0);

    const [first, second, third] = [await failedJob(alice), await failedJob(alice), await failedJob(alice)];
    // Finished: deployed (kept: its model is served), first and second dropped, third. A job's
    // status reads failed as soon as it is set; the drop follows once its record is saved.
    for (const id of [first, second]) {
      await eventually(async () => ((await status(alice, id)) === 404 ? true : undefined), 10_000);
      expect((await getJson(server.url, alice, `/v1/fine_tuning/jobs/${id}/events`)).status).toBe(404);
      expect((await getJson(server.url, alice, `/v1/fine_tuning/jobs/${id}/checkpoints`)).status).toBe(404);
      await eventually(async () => !keptOnDisk(id) || undefined, 10_000);
    }
    expect(await listed(alice)).toEqual([third, running, deployed.id]);
    expect(await listed(bob)).toEqual([bobs]);

    // Cancelled, the running job is finished too: the oldest finished droppable one (third) goes.
    const cancel = await requestJson(`${server.url}/v1/fine_tuning/jobs/${running}/cancel`, {
      method: 'POST',
      headers: bearer(alice),
    });
    expect(cancel.status).toBe(200);
    await eventually(async () => ((await status(alice, third)) === 404 ? true : undefined), 30_000);
    expect(await listed(alice)).toEqual([running, deployed.id]);

    // Deleting the model frees its job: the next finished job drops it, not its result file.
    const removed = await requestJson(
      `${server.url}/v1/models/${encodeURIComponent(deployed.fine_tuned_model)}`,
      { method: 'DELETE', headers: bearer(alice) },
    );
    expect(removed.status).toBe(200);
    const fourth = await failedJob(alice);
    await eventually(async () => ((await status(alice, deployed.id)) === 404 ? true : undefined), 10_000);
    expect(await listed(alice)).toEqual([fourth, running]);
    const result = await getJson(server.url, alice, `/v1/files/${deployed.result_files[0]}`);
    expect(result.status).toBe(200);

    // A restarted server finds only the jobs kept.
    await server.close();
    for (const id of [first, second, third, deployed.id]) expect(keptOnDisk(id)).toBe(false);
    server = await start();
    expect(await listed(alice)).toEqual([fourth, running]);
    expect(await listed(bob)).toEqual([bobs]);
  });

  it('is refused at start unless a positive integer, naming it', async () => {
    await expect(startReferenceServer({ port: 0, maxFinishedFineTuningJobsPerTenant: 0 })).rejects.toThrow(
      /maxFinishedFineTuningJobsPerTenant must be a positive integer/,
    );
  });
});
