import { describe, expect, it } from 'vitest';
import { useTestReferenceServer } from '../support/reference-fixture.js';
import { jsonl, ruleExamples } from './server-fine-tuning-helpers.js';

// client.fineTuning.jobs.list({ metadata }) sends OpenAI's metadata filter, on every page.
const reference = useTestReferenceServer({ maxRetries: 0 });

describe('client.fineTuning.jobs.list with a metadata filter', () => {
  it('lists the jobs carrying every pair, page after page, and null for the jobs without metadata', async () => {
    const client = reference.client();
    const file = await client.files.create({
      file: new TextEncoder().encode(jsonl(ruleExamples(40, 100, 5))),
      filename: 'rule.jsonl',
      purpose: 'fine-tune',
    });
    const ids: Record<string, string> = {};
    const metadataOf = { a: { run: 'sdk', n: '1' }, b: { run: 'other' }, c: null, d: { run: 'sdk', n: '2' } };
    for (const [name, metadata] of Object.entries(metadataOf)) {
      const job = await client.fineTuning.jobs.create({
        model: 'ref-classify',
        training_file: file.id,
        metadata,
      });
      ids[name] = job.id;
      await client.fineTuning.jobs.cancel(job.id);
    }
    const names = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
    const walk = async (metadata: Record<string, string> | null) => {
      const found: string[] = [];
      for await (const job of client.fineTuning.jobs.list({ metadata, limit: 1 }))
        found.push(names[job.id] ?? job.id);
      return found;
    };
    expect(await walk({ run: 'sdk' })).toEqual(['d', 'a']);
    expect(await walk({ run: 'sdk', n: '1' })).toEqual(['a']);
    expect((await walk(null)).filter((name) => name in metadataOf)).toEqual(['c']);
    await expect(
      client.fineTuning.jobs.list({ metadata: { run: 7 } as unknown as Record<string, string> }),
    ).rejects.toThrow(/metadata/);
  });
});
