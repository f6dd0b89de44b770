import { describe, expect, it } from 'vitest';
import { sequential } from '../../src/builders/sequential-builder.js';
import { evaluate } from '../../src/evaluation/evaluate.js';
import type { FineTuningJobEvent, FineTuningMetrics } from '../../src/wire/openai/fine-tuning-schemas.js';
import { useTestReferenceServer } from '../support/reference-fixture.js';
import { jsonl, ruleExamples } from './server-fine-tuning-helpers.js';

// The SDK's files → fineTuning.jobs → evaluate path against aiaas/server's real trainer.
const reference = useTestReferenceServer({ maxRetries: 0 });

const training = ruleExamples(600, 100, 21);
const heldOut = ruleExamples(300, 100, 77);

describe('client.fineTuning.jobs against aiaas/server', () => {
  it('fine-tunes ref-classify: wait() follows every epoch in order and the tuned model beats the base', async () => {
    const client = reference.client();
    const file = await client.files.create({
      file: new TextEncoder().encode(jsonl(training)),
      filename: 'rule.jsonl',
      purpose: 'fine-tune',
    });
    const epochs = 8;
    const created = await client.fineTuning.jobs.create({
      model: 'ref-classify',
      training_file: file.id,
      suffix: 'sdk',
      seed: 3,
      hyperparameters: { n_epochs: epochs, learning_rate_multiplier: 5 },
    });
    expect(['validating_files', 'queued', 'running']).toContain(created.status);
    const events: FineTuningJobEvent[] = [];
    const job = await client.fineTuning.jobs.wait(created.id, {
      pollInterval: 50,
      onEvent: (event) => events.push(event),
    });
    expect(job.error ?? null).toBeNull();
    expect(job.status).toBe('succeeded');
    expect(job.fine_tuned_model).toMatch(/^ft:ref-classify:[^:]+:sdk:/);
    const metrics = events
      .filter((event) => event.type === 'metrics')
      .map((event) => event.data as FineTuningMetrics);
    expect(metrics.map((each) => each.epoch)).toEqual(
      Array.from({ length: epochs }, (_, index) => index + 1),
    );
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);

    // The events as listed (newest first, every page) are those wait() handed over, reversed.
    const listed: string[] = [];
    for await (const event of client.fineTuning.jobs.listEvents(job.id, { limit: 3 })) listed.push(event.id);
    expect(listed).toEqual(events.map((event) => event.id).reverse());
    const checkpoints = await client.fineTuning.jobs.checkpoints.list(job.id, { limit: 100 });
    expect(checkpoints.data).toHaveLength(epochs);
    const jobIds: string[] = [];
    for await (const each of client.fineTuning.jobs.list({ limit: 1 })) jobIds.push(each.id);
    expect(jobIds).toContain(job.id);

    const base = await evaluate({
      client: reference.client({ provider: 'oip', pricing: 'server' }),
      model: 'ref-classify',
      data: heldOut,
    });
    // The server's rate card (GET /v1/pricing) has no price for a tenant's ft: models: unpriced here.
    const tuned = await evaluate({
      client: reference.client({ provider: 'oip' }),
      model: job.fine_tuned_model!,
      data: heldOut,
    });
    console.info(
      `held-out accuracy: base ref-classify ${base.accuracy.toFixed(3)}, fine-tuned ${tuned.accuracy.toFixed(3)}`,
    );
    expect(tuned.accuracy).toBeGreaterThan(base.accuracy + 0.15);
    expect(base.cost?.isPositive()).toBe(true);
  }, 120_000);

  it('trains sequential(100).dense(16, relu).dense(1, sigmoid) from scratch, and a cancelled job resolves wait()', async () => {
    const client = reference.client();
    const file = await client.files.create({
      file: new TextEncoder().encode(jsonl(training)),
      filename: 'rule.jsonl',
      purpose: 'fine-tune',
    });
    const long = await client.fineTuning.jobs.create({
      model: 'aiaas/sequential',
      training_file: file.id,
      architecture: sequential(100).dense(16, 'relu').dense(1, 'sigmoid'),
      hyperparameters: { n_epochs: 1_000 },
    });
    expect(long.architecture).toEqual(sequential(100).dense(16, 'relu').dense(1, 'sigmoid').build());
    // Cancelled once, on the first metrics event: a poll may bring several, and a second cancel of
    // an ended job is a 400.
    let cancelling: Promise<unknown> | undefined;
    const cancelled = client.fineTuning.jobs.wait(long.id, {
      pollInterval: 20,
      onEvent: (event) => {
        if (event.type === 'metrics') cancelling ??= client.fineTuning.jobs.cancel(long.id);
      },
    });
    const job = await cancelled;
    expect(await cancelling).toMatchObject({ id: long.id, status: 'cancelled' });
    expect(job.status).toBe('cancelled');
  }, 120_000);
});
