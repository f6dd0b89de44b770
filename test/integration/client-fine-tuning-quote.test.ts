import { describe, expect, it } from 'vitest';
import { totalsByCurrency } from '../../src/cost/ledger.js';
import { Money } from '../../src/cost/money.js';
import { recoverUsage } from '../../src/cost/recover-usage.js';
import { ServerBillingSource } from '../../src/cost/server-billing-source.js';
import { InvalidOptionError } from '../../src/errors/index.js';
import { fetchServerUsage, testApiKey, useTestReferenceServer } from '../support/reference-fixture.js';
import { policyConversations, trainedTokenCount } from './server-fine-tuning-chat-helpers.js';
import { jsonl, ruleExamples } from './server-fine-tuning-helpers.js';

// client.fineTuning.jobs.quote() against what aiaas/server then bills for the job.
const reference = useTestReferenceServer({ maxRetries: 0, pricing: 'server' });

async function trainingRates(url: string): Promise<{ perComputeSecond: string }> {
  const pricing = (await (await fetch(`${url}/v1/pricing`)).json()) as {
    models: Record<string, { per_compute_second: string }>;
  };
  return { perComputeSecond: pricing.models['aiaas-fine-tuning']!.per_compute_second };
}

describe('client.fineTuning.jobs.quote, and wait() with billing', () => {
  it("quotes a ref-classify job's examples and bytes per epoch exactly, the billed cost falls inside the range, and wait() records it", async () => {
    const client = reference.client();
    const text = jsonl(ruleExamples(200, 100, 5));
    const file = await client.files.create({
      file: new TextEncoder().encode(text),
      filename: 'rule.jsonl',
      purpose: 'fine-tune',
    });
    const params = {
      model: 'ref-classify',
      training_file: file.id,
      seed: 1,
      hyperparameters: { n_epochs: 3 },
    };

    const unbounded = await client.fineTuning.jobs.quote(params);
    expect(unbounded).toMatchObject({ model: 'aiaas-fine-tuning', epochs: 3, trainedExamples: 600 });
    expect(unbounded.bytesIn).toBe(3 * Buffer.byteLength(text));
    expect(unbounded.min.isPositive()).toBe(true);
    // The card prices compute and nothing bounds it: no ceiling to quote.
    expect(unbounded.max).toBeUndefined();

    const quote = await client.fineTuning.jobs.quote(params, { maxComputeMs: 120_000 });
    const { perComputeSecond } = await trainingRates(reference.url);
    expect(quote.min.equals(unbounded.min)).toBe(true);
    expect(quote.max!.minus(quote.min).equals(Money.of(perComputeSecond, 'USD').times(120n))).toBe(true);

    const created = await client.fineTuning.jobs.create(params);
    const billing = new ServerBillingSource({ baseURL: reference.url, apiKey: testApiKey });
    const job = await client.fineTuning.jobs.wait(created.id, { pollInterval: 50, billing });
    expect(job.status).toBe('succeeded');
    const charges = (await fetchServerUsage(reference.url)).data.filter(
      (record) => record.request_id === job.id,
    );
    const billed = charges.reduce((sum, record) => sum + (record.usage.trained_examples ?? 0), 0);
    expect(billed).toBe(quote.trainedExamples);
    expect(charges.reduce((sum, record) => sum + record.usage.bytes_in, 0)).toBe(quote.bytesIn);
    const cost = charges.reduce(
      (sum, record) => sum.plus(Money.of(record.cost.amount, record.cost.currency)),
      Money.zero('USD'),
    );
    expect(cost.compare(quote.min)).toBeGreaterThanOrEqual(0);
    expect(cost.compare(quote.max!)).toBeLessThanOrEqual(0);

    // wait() wrote every charge of the job to the ledger, once: a recovery finds none missing.
    const recorded = await client.ledger.entries({ requestId: job.id });
    expect(recorded).toHaveLength(charges.length);
    expect(totalsByCurrency(recorded).USD!.equals(cost)).toBe(true);
    const recovery = await recoverUsage({
      ledger: client.ledger,
      provider: billing,
      model: 'aiaas-fine-tuning',
    });
    expect(recovery.recovered).toEqual([]);
  }, 60_000);

  it("estimates a ref-chat job's trained reply tokens close to the server's count, and 'auto' epochs as 10", async () => {
    const client = reference.client();
    const text = policyConversations(24);
    const file = await client.files.create({
      file: new TextEncoder().encode(text),
      filename: 'chat.jsonl',
      purpose: 'fine-tune',
    });
    const quote = await client.fineTuning.jobs.quote({
      model: 'ref-chat',
      training_file: file.id,
      hyperparameters: { n_epochs: 'auto' },
    });
    expect(quote.epochs).toBe(10);
    const exact = await trainedTokenCount(text);
    console.info(`ref-chat reply tokens per epoch: quoted ${quote.trainedExamples / 10}, trained ${exact}`);
    expect(Math.abs(quote.trainedExamples / 10 - exact)).toBeLessThanOrEqual(exact * 0.1);

    const given = await client.fineTuning.jobs.quote(
      { model: 'ref-chat', training_file: file.id },
      { trainingExamples: exact, autoEpochs: 2 },
    );
    expect(given).toMatchObject({ epochs: 2, trainedExamples: 2 * exact });
  });

  it('refuses a bad option and a training file that is not chat, naming them', async () => {
    const client = reference.client();
    const file = await client.files.create({
      file: new TextEncoder().encode('{"input": [1, 2], "label": 1}\n'),
      filename: 'numbers.jsonl',
      purpose: 'fine-tune',
    });
    await expect(
      client.fineTuning.jobs.quote({ model: 'ref-classify', training_file: file.id }, { maxComputeMs: -1 }),
    ).rejects.toThrow(InvalidOptionError);
    await expect(client.fineTuning.jobs.quote({ model: 'ref-chat', training_file: file.id })).rejects.toThrow(
      /training_file.*line 1 is not a chat example/,
    );
  });
});
