import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { createJob, getJson, jsonl, ruleExamples, uploadTrainingFile } from './server-fine-tuning-helpers.js';
import { bearer } from './server-pipeline-helpers.js';
import { requestJson } from './server-test-client.js';

// The `metadata` of fine-tuning jobs: checked at create as OpenAI checks it, and a list filter
// (`metadata[key]=value`, `metadata=null`) that pages with `after`/`limit`.

const [alice, bob] = ['sk-ftmeta-alice', 'sk-ftmeta-bob'];
let server: ReferenceServer;
let file: string;
/** Job ids by name, created oldest first: a, b, c, d (newest). */
const ids: Record<string, string> = {};
const metadataOf: Record<string, Record<string, string> | undefined> = {
  a: { team: 'ml', stage: 'dev' },
  b: { team: 'ml', stage: 'prod' },
  c: undefined,
  d: { team: 'ml', stage: 'dev', note: 'a & b = c' },
};

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, apiKeys: [alice, bob], logger: silentServerLogger });
  file = await uploadTrainingFile(server.url, alice, jsonl(ruleExamples(40, 100, 1)));
  for (const [name, metadata] of Object.entries(metadataOf)) {
    const created = await createJob(server.url, alice, {
      model: 'ref-classify',
      training_file: file,
      metadata,
    });
    expect(created.status).toBe(200);
    ids[name] = created.body.id;
    // Cancelled at once: a finished job lists like any other and leaves room for the next.
    await requestJson(`${server.url}/v1/fine_tuning/jobs/${created.body.id}/cancel`, {
      method: 'POST',
      headers: bearer(alice),
    });
  }
});
afterAll(() => server.close());

const listed = async (query: string, key = alice) => {
  const answer = await getJson(server.url, key, `/v1/fine_tuning/jobs?${query}`);
  expect(answer.status).toBe(200);
  const names = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
  return { names: (answer.body.data as { id: string }[]).map((job) => names[job.id]), body: answer.body };
};

describe('GET /v1/fine_tuning/jobs?metadata[key]=value', () => {
  it('lists the jobs carrying every pair asked, newest first', async () => {
    expect((await listed('metadata[team]=ml')).names).toEqual(['d', 'b', 'a']);
    expect((await listed('metadata[team]=ml&metadata[stage]=dev')).names).toEqual(['d', 'a']);
    expect((await listed(`metadata[note]=${encodeURIComponent('a & b = c')}`)).names).toEqual(['d']);
    expect((await listed('metadata[team]=ml&metadata[stage]=qa')).names).toEqual([]);
    expect((await listed('metadata[stage]=dev&metadata[stage]=prod')).names).toEqual([]);
    expect((await listed('metadata[team]=ml', bob)).names).toEqual([]);
  });

  it('lists the jobs without metadata for metadata=null (and metadata=, as the openai client sends it)', async () => {
    expect((await listed('metadata=null')).names).toEqual(['c']);
    expect((await listed('metadata=')).names).toEqual(['c']);
  });

  it('pages the filtered list with after and limit', async () => {
    const first = await listed('metadata[team]=ml&limit=2');
    expect(first.names).toEqual(['d', 'b']);
    expect(first.body.has_more).toBe(true);
    const next = await listed(`metadata[team]=ml&limit=2&after=${first.body.last_id}`);
    expect(next.names).toEqual(['a']);
    expect(next.body.has_more).toBe(false);
    // A cursor the filter leaves out still places the page: after c (no metadata) come b and a.
    expect((await listed(`metadata[team]=ml&after=${ids.c}`)).names).toEqual(['b', 'a']);
  });

  it('refuses a metadata value that is not a filter, and null mixed with pairs, naming metadata', async () => {
    for (const query of ['metadata=ml', 'metadata=null&metadata[team]=ml']) {
      const answer = await getJson(server.url, alice, `/v1/fine_tuning/jobs?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error.param).toBe('metadata');
    }
  });

  it("filters the same through the official openai client's fineTuning.jobs.list", async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: alice, maxRetries: 0 });
    const names = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
    const walked: string[] = [];
    for await (const job of client.fineTuning.jobs.list({ metadata: { team: 'ml' }, limit: 1 }))
      walked.push(names[job.id]!);
    expect(walked).toEqual(['d', 'b', 'a']);
    const dev = await client.fineTuning.jobs.list({ metadata: { team: 'ml', stage: 'dev' } });
    expect(dev.data.map((job) => names[job.id])).toEqual(['d', 'a']);
    expect(dev.data[0]!.metadata).toEqual(metadataOf.d);
    const none = await client.fineTuning.jobs.list({ metadata: null });
    expect(none.data.map((job) => names[job.id])).toEqual(['c']);
  });
});

describe('POST /v1/fine_tuning/jobs: metadata as OpenAI checks it', () => {
  const create = (metadata: unknown) =>
    createJob(server.url, bob, { model: 'ref-classify', training_file: 'file-x', metadata });
  const cases: [string, unknown][] = [
    ['17 pairs', Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v']))],
    ['a key of 65 characters', { ['k'.repeat(65)]: 'v' }],
    ['a value of 513 characters', { team: 'v'.repeat(513) }],
    ['a value that is not a string', { team: 7 }],
    ['an array', ['team']],
  ];
  for (const [fault, metadata] of cases)
    it(`refuses ${fault} with a 400 naming metadata`, async () => {
      const answer = await create(metadata);
      expect(answer.status).toBe(400);
      expect(answer.body.error.param).toMatch(/^metadata/);
      expect(answer.body.error.message).toContain('metadata');
    });

  it('takes 16 pairs at the limits (keys of 64, values of 512 characters)', async () => {
    const metadata = Object.fromEntries(
      Array.from({ length: 16 }, (_, index) => [`${index}`.padEnd(64, 'k'), 'v'.repeat(512)]),
    );
    const other = await uploadTrainingFile(server.url, bob, jsonl(ruleExamples(40, 100, 2)));
    const created = await createJob(server.url, bob, {
      model: 'ref-classify',
      training_file: other,
      metadata,
    });
    expect(created.status).toBe(200);
    expect(created.body.metadata).toEqual(metadata);
    await requestJson(`${server.url}/v1/fine_tuning/jobs/${created.body.id}/cancel`, {
      method: 'POST',
      headers: bearer(bob),
    });
  });
});
