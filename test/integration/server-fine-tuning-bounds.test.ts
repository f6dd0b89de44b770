import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxChatLineLength } from '../../src/server/fine-tuning/chat-training-data.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { policyConversations } from './server-fine-tuning-chat-helpers.js';
import { createJob, uploadTrainingFile, waitForJob } from './server-fine-tuning-helpers.js';
import { bearer } from './server-pipeline-helpers.js';
import { requestJson } from './server-test-client.js';

// What bounds a ref-chat job's memory and its time on the event loop: the tokens a file may
// hold (maxFineTuningTrainingTokens) and the length of one line.

const key = 'sk-ft-bounds';
const maxTokens = 200;
let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({
    port: 0,
    apiKeys: [key],
    logger: silentServerLogger,
    maxFineTuningTrainingTokens: maxTokens,
  });
});
afterAll(() => server.close());

async function chatJob(text: string, extra: Record<string, unknown> = {}) {
  const file = await uploadTrainingFile(server.url, key, text);
  const created = await createJob(server.url, key, { model: 'ref-chat', training_file: file, ...extra });
  expect(created.status).toBe(200);
  return { file, id: created.body.id as string };
}

describe('a ref-chat file past maxFineTuningTrainingTokens', () => {
  it('fails the job naming the file, the limit and the count reached, and stops reading there', async () => {
    const { file, id } = await chatJob(policyConversations(200));
    const job = await waitForJob(server.url, key, id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('too_many_tokens');
    expect(job.error.param).toBe('training_file');
    const [, reached, line] = /: (\d+) by line (\d+)\.$/.exec(job.error.message) ?? [];
    expect(job.error.message).toContain(`training_file ${file} holds more than ${maxTokens} tokens`);
    expect(job.error.message).toContain('maxFineTuningTrainingTokens');
    // Stopped at the first conversation past the limit: far before the 200th line.
    expect(Number(reached)).toBeGreaterThan(maxTokens);
    expect(Number(line)).toBeLessThan(200);
    console.log(`tokens reached: ${reached} at line ${line} of 200 (limit ${maxTokens})`);
  });

  it('bounds the validation file too', async () => {
    const small = await uploadTrainingFile(server.url, key, policyConversations(2));
    const { file, id } = await chatJob(policyConversations(200), {});
    await requestJson(`${server.url}/v1/fine_tuning/jobs/${id}/cancel`, {
      method: 'POST',
      headers: bearer(key),
    });
    const created = await createJob(server.url, key, {
      model: 'ref-chat',
      training_file: small,
      validation_file: file,
    });
    const job = await waitForJob(server.url, key, created.body.id);
    expect(job.status).toBe('failed');
    expect(job.error.param).toBe('validation_file');
    expect(job.error.message).toContain(`validation_file ${file} holds more than ${maxTokens} tokens`);
  });

  it('takes a file under the limit', async () => {
    const { id } = await chatJob(policyConversations(2), { hyperparameters: { n_epochs: 1 } });
    const job = await waitForJob(server.url, key, id);
    expect(job.status).toBe('succeeded');
  });

  it('is an option refused at start unless a positive integer, naming it', async () => {
    await expect(startReferenceServer({ port: 0, maxFineTuningTrainingTokens: 0 })).rejects.toThrow(
      /maxFineTuningTrainingTokens must be a positive integer/,
    );
  });
});

describe('a ref-chat line longer than maxChatLineLength', () => {
  it('fails the job naming the line and the bound, before tokenizing it', async () => {
    const good = policyConversations(1).trim();
    const long = JSON.stringify({
      messages: [
        { role: 'user', content: 'x'.repeat(maxChatLineLength) },
        { role: 'assistant', content: 'y' },
      ],
    });
    const { file, id } = await chatJob(`${good}\n${long}\n`);
    const job = await waitForJob(server.url, key, id);
    expect(job.status).toBe('failed');
    expect(job.error.message).toBe(
      `training_file ${file}, line 2: ${long.length} characters long; a line may hold at most ${maxChatLineLength}.`,
    );
  });
});
