import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { builtInModelFile } from '../../src/server/models/model-files.js';
import { serverUsageListSchema } from '../../src/wire/aiaas/server-usage-schemas.js';
import { uploadFile } from './server-files-helpers.js';
import {
  assistantPerplexity,
  policyConversations,
  trainedTokenCount,
} from './server-fine-tuning-chat-helpers.js';
import { createJob, uploadTrainingFile, waitForJob } from './server-fine-tuning-helpers.js';
import { bearer, eventually } from './server-pipeline-helpers.js';
import { requestJson } from './server-test-client.js';

// ref-chat fine-tuned on OpenAI's chat JSONL (issue 19): trained in a worker, deployed for its
// tenant only on /v1/chat/completions and /v1/completions, billed per epoch, kept across a restart.

const [alice, bob] = ['sk-ft-chat-alice', 'sk-ft-chat-bob'];
const dataDir = mkdtempSync(join(tmpdir(), 'aiaas-ft-chat-'));
const trainingText = policyConversations(40);
const epochs = 3;
let server: ReferenceServer;
let openai: OpenAI;
let jobId: string;
let model: string;

const start = () =>
  startReferenceServer({ port: 0, apiKeys: [alice, bob], dataDir, logger: silentServerLogger });
const clientFor = (key: string) => new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 });

beforeAll(async () => {
  server = await start();
  openai = clientFor(alice);
  const training = await openai.files.create({
    file: await toFile(Buffer.from(trainingText), 'policy.jsonl'),
    purpose: 'fine-tune',
  });
  const validation = await openai.files.create({
    file: await toFile(Buffer.from(policyConversations(8, 40)), 'policy-valid.jsonl'),
    purpose: 'fine-tune',
  });
  const created = await openai.fineTuning.jobs.create({
    model: 'ref-chat',
    training_file: training.id,
    validation_file: validation.id,
    suffix: 'policy',
    seed: 5,
    hyperparameters: { n_epochs: epochs, batch_size: 16, learning_rate_multiplier: 2 },
  });
  jobId = created.id;
  const job = await eventually(async () => {
    const current = await openai.fineTuning.jobs.retrieve(jobId);
    return ['succeeded', 'failed', 'cancelled'].includes(current.status) ? current : undefined;
  }, 60_000);
  expect(job.error ?? null).toBeNull();
  model = job.fine_tuned_model!;
}, 90_000);
afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a ref-chat fine-tuning job', () => {
  it('succeeds with a metrics event and checkpoint per epoch (train, valid and full valid loss)', async () => {
    expect(model).toMatch(/^ft:ref-chat:.+:policy:/);
    const job = await openai.fineTuning.jobs.retrieve(jobId);
    const tokens = await trainedTokenCount(trainingText);
    // trained_examples (and trained_tokens) count the assistant tokens trained on, every epoch.
    expect(job.trained_tokens).toBe(tokens * epochs);
    expect((job as unknown as { trained_examples: number }).trained_examples).toBe(tokens * epochs);
    const checkpoints: OpenAI.FineTuning.Jobs.FineTuningJobCheckpoint[] = [];
    for await (const checkpoint of openai.fineTuning.jobs.checkpoints.list(jobId))
      checkpoints.push(checkpoint);
    expect(checkpoints).toHaveLength(epochs);
    for (const { metrics } of checkpoints) {
      expect(metrics.train_loss).toBeGreaterThan(0);
      expect(metrics.valid_loss).toBeGreaterThan(0);
      expect(metrics.full_valid_loss).toBe(metrics.valid_loss);
      expect(metrics.train_mean_token_accuracy).toBeGreaterThanOrEqual(0);
      expect(metrics.train_mean_token_accuracy).toBeLessThanOrEqual(1);
      expect(metrics.full_valid_mean_token_accuracy).toBe(metrics.valid_mean_token_accuracy);
    }
    // The held-out conversations follow the pattern too: by the last epoch most next tokens are right.
    expect(checkpoints[0]!.metrics.valid_mean_token_accuracy).toBeGreaterThan(0.5);
    const events: OpenAI.FineTuning.FineTuningJobEvent[] = [];
    for await (const event of openai.fineTuning.jobs.listEvents(jobId)) events.push(event);
    expect(events.filter((event) => event.type === 'metrics')).toHaveLength(epochs);
  });

  it('has a lower perplexity than the base ref-chat on its training text (both printed)', async () => {
    const tenantDir = readdirSync(join(dataDir, 'fine-tuning'))[0]!;
    const tuned = await assistantPerplexity(
      join(dataDir, 'fine-tuning', tenantDir, `${jobId}.onnx`),
      trainingText,
    );
    const base = await assistantPerplexity(builtInModelFile('ref-chat'), trainingText);
    console.log(
      `ref-chat perplexity on the assistant tokens of its training text: base ${base.toFixed(2)}, tuned ${tuned.toFixed(2)}`,
    );
    expect(tuned).toBeLessThan(base / 2);
  });

  it('answers on /v1/chat/completions (streaming and not) and /v1/completions for its tenant', async () => {
    const messages = [
      { role: 'system' as const, content: 'You answer in one sentence.' },
      { role: 'user' as const, content: 'What will you do about energy?' },
    ];
    const answer = await openai.chat.completions.create({ model, messages, max_tokens: 12, temperature: 0 });
    expect(answer.model).toBe(model);
    expect(answer.choices[0]!.message.content).toContain('We will act on');
    expect(answer.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(answer.usage!.completion_tokens).toBeGreaterThan(0);

    const stream = await openai.chat.completions.create({
      model,
      messages,
      max_tokens: 12,
      temperature: 0,
      stream: true,
    });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toBe(answer.choices[0]!.message.content);

    const completion = await openai.completions.create({
      model,
      prompt: 'User: Hello\nAssistant:',
      max_tokens: 5,
    });
    expect(completion.choices[0]!.text.length).toBeGreaterThan(0);
    const listed: string[] = [];
    for await (const each of openai.models.list()) listed.push(each.id);
    expect(listed).toContain(model);
    // /tokenize counts its prompt as the chat route does (ref-chat's tokenizer and template).
    const tokenized = await requestJson(`${server.url}/tokenize`, {
      body: { model, messages },
      headers: bearer(alice),
    });
    expect(tokenized.body.count).toBe(answer.usage!.prompt_tokens);

    // Billed like ref-chat: the tokens of each call (the two chats and the completion), under the tuned model's name.
    const calls = await eventually(async () => {
      const usage = serverUsageListSchema.parse(
        (await requestJson(`${server.url}/v1/usage`, { headers: bearer(alice) })).body,
      );
      const generated = usage.data.filter(
        (record) => record.model === model && record.usage.output_tokens > 0,
      );
      return generated.length >= 3 ? generated : undefined;
    }, 20_000);
    const counted = calls.map((record) => [record.usage.input_tokens, record.usage.output_tokens]);
    expect(counted).toContainEqual([answer.usage!.prompt_tokens, answer.usage!.completion_tokens]);
  });

  it('is hidden from another tenant (404), listed for its own only', async () => {
    const other = clientFor(bob);
    await expect(
      other.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(other.completions.create({ model, prompt: 'hi' })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    const listed: string[] = [];
    for await (const each of other.models.list()) listed.push(each.id);
    expect(listed).not.toContain(model);
  });

  it('is billed per epoch: the assistant tokens as trained_examples and the file bytes, each epoch', async () => {
    const tokens = await trainedTokenCount(trainingText);
    const charges = await eventually(async () => {
      const usage = serverUsageListSchema.parse(
        (await requestJson(`${server.url}/v1/usage`, { headers: bearer(alice) })).body,
      );
      const mine = usage.data.filter((record) => record.request_id === jobId);
      return mine.length >= epochs ? mine : undefined;
    }, 20_000);
    expect(charges.reduce((sum, record) => sum + (record.usage.trained_examples ?? 0), 0)).toBe(
      tokens * epochs,
    );
    expect(charges.reduce((sum, record) => sum + record.usage.bytes_in, 0)).toBe(
      Buffer.byteLength(trainingText) * epochs,
    );
  });

  it('refuses hyperparameters that do not apply to ref-chat, naming them', async () => {
    const file = (await openai.fineTuning.jobs.retrieve(jobId)).training_file;
    const sgd = await createJob(server.url, alice, {
      model: 'ref-chat',
      training_file: file,
      hyperparameters: { optimizer: 'sgd' },
    });
    expect(sgd.status).toBe(400);
    expect(sgd.body.error.param).toBe('hyperparameters.optimizer');
    expect(sgd.body.error.message).toContain('adam');
  });

  it('fine-tunes its own fine-tune further, as OpenAI allows', async () => {
    const file = (await openai.fineTuning.jobs.retrieve(jobId)).training_file;
    const created = await openai.fineTuning.jobs.create({
      model,
      training_file: file,
      suffix: 'again',
      hyperparameters: { n_epochs: 1 },
    });
    const job = await waitForJob(server.url, alice, created.id);
    expect(job.error).toBeNull();
    expect(job.fine_tuned_model).toMatch(/^ft:ref-chat:.+:again:/);
    const answer = await openai.chat.completions.create({
      model: job.fine_tuned_model,
      messages: [{ role: 'user', content: 'What will you do about trade?' }],
      max_tokens: 6,
      temperature: 0,
    });
    expect(answer.choices[0]!.message.content).toContain('We will act on');
    expect((await openai.models.delete(job.fine_tuned_model)).deleted).toBe(true);
  }, 30_000);

  it('serves again after a restart with the data directory, and is gone once deleted', async () => {
    await server.close();
    server = await start();
    openai = clientFor(alice);
    const messages = [{ role: 'user' as const, content: 'What will you do about trade?' }];
    const answer = await openai.chat.completions.create({ model, messages, max_tokens: 8 });
    expect(answer.choices[0]!.message.content!.length).toBeGreaterThan(0);

    const deleted = await openai.models.delete(model);
    expect(deleted.deleted).toBe(true);
    await expect(openai.chat.completions.create({ model, messages })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
  }, 30_000);
});

describe('a bad chat file', () => {
  const conversation = (messages: unknown) => JSON.stringify({ messages });
  const good = conversation([
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: 'hello' },
  ]);
  const cases: [string, string, RegExp][] = [
    ['no messages', `${good}\n${good}\n{"prompt": "hi"}\n`, /line 3: "messages" must be a non-empty array/],
    [
      'a bad role',
      `${good}\n${conversation([{ role: 'robot', content: 'x' }])}\n`,
      /line 2: messages\[0\]\.role is "robot"/,
    ],
    [
      'no assistant message',
      `${conversation([{ role: 'user', content: 'hi' }])}\n`,
      /line 1: no assistant message/,
    ],
    [
      'a conversation not ending with the reply',
      `${good}\n${conversation([
        { role: 'assistant', content: 'hi' },
        { role: 'user', content: 'x' },
      ])}\n`,
      /line 2: the conversation ends with a user message/,
    ],
    [
      'no reply to learn (every weight 0)',
      `${conversation([
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello', weight: 0 },
      ])}\n`,
      /no assistant token to train on/,
    ],
  ];
  it('is refused at upload when not JSONL, naming the line (malformed JSON, an empty file)', async () => {
    const malformed = await uploadFile(
      server.url,
      bob,
      { bytes: `${good}\n{"messages": [\n`, name: 'bad.jsonl' },
      {
        purpose: 'fine-tune',
      },
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/line 2 is not valid JSON/);
    const empty = await uploadFile(
      server.url,
      bob,
      { bytes: '\n\n', name: 'empty.jsonl' },
      { purpose: 'fine-tune' },
    );
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/holds no JSON lines/);
  });
  for (const [fault, text, message] of cases) {
    it(`fails the job naming the file, the line and the fault: ${fault}`, async () => {
      const file = await uploadTrainingFile(server.url, bob, text);
      const created = await createJob(server.url, bob, { model: 'ref-chat', training_file: file });
      expect(created.status).toBe(200);
      const job = await waitForJob(server.url, bob, created.body.id);
      expect(job.status).toBe('failed');
      expect(job.error.message).toContain(`training_file ${file}`);
      expect(job.error.message).toMatch(message);
    });
  }
});

describe('cancel', () => {
  it('stops a running ref-chat job within a batch', async () => {
    const file = await uploadTrainingFile(server.url, bob, policyConversations(200));
    const created = await createJob(server.url, bob, {
      model: 'ref-chat',
      training_file: file,
      hyperparameters: { n_epochs: 1000, batch_size: 4 },
    });
    const id = created.body.id as string;
    await waitForJob(server.url, bob, id, (job) => job.trained_examples > 0);
    const cancelled = await requestJson(`${server.url}/v1/fine_tuning/jobs/${id}/cancel`, {
      method: 'POST',
      headers: bearer(bob),
    });
    expect(cancelled.body.status).toBe('cancelled');
    const job = await waitForJob(server.url, bob, id);
    expect(job.status).toBe('cancelled');
    expect(job.fine_tuned_model).toBeNull();
  }, 120_000);
});
