import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';

// The official openai client's files API, unchanged, against aiaas/server: what a user uploading
// training data with it does first (issue 19).

let server: ReferenceServer;
let client: OpenAI;
const apiKey = 'sk-conformance-files';

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, apiKeys: [apiKey], logger: silentServerLogger });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 });
});
afterAll(() => server.close());

const trainingFile = [
  '{"input": "a fine day", "label": 1}',
  '{"input": "a dreadful day", "label": 0}',
  '',
].join('\n');

describe('the openai client: files', () => {
  it('creates, retrieves, reads back and deletes a fine-tune file', async () => {
    const created = await client.files.create({
      file: await toFile(Buffer.from(trainingFile), 'train.jsonl'),
      purpose: 'fine-tune',
    });
    expect(created).toMatchObject({
      object: 'file',
      bytes: Buffer.byteLength(trainingFile),
      filename: 'train.jsonl',
      purpose: 'fine-tune',
    });
    expect(await client.files.retrieve(created.id)).toEqual(created);
    const content = await client.files.content(created.id);
    expect(await content.text()).toBe(trainingFile);
    expect(await client.files.delete(created.id)).toEqual({ id: created.id, object: 'file', deleted: true });
    const missing = await client.files.retrieve(created.id).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('lists every file over pages with for await, and filters by purpose', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      const file = await client.files.create({
        file: await toFile(Buffer.from(`row ${index}`), `rows-${index}.txt`),
        purpose: 'user_data',
      });
      ids.push(file.id);
    }
    const seen: string[] = [];
    for await (const file of client.files.list({ purpose: 'user_data', limit: 2, order: 'asc' }))
      seen.push(file.id);
    expect(seen).toEqual(ids);
    const firstPage = await client.files.list({ purpose: 'user_data', limit: 2 });
    expect(firstPage.data.map((file) => file.id)).toEqual([ids[4], ids[3]]);
    expect(firstPage.hasNextPage()).toBe(true);
  });

  it('sends expires_after as the server reads it', async () => {
    const file = await client.files.create({
      file: await toFile(Buffer.from('brief'), 'brief.txt'),
      purpose: 'user_data',
      expires_after: { anchor: 'created_at', seconds: 7200 },
    });
    expect(file.expires_at).toBe(file.created_at + 7200);
  });

  it('surfaces a malformed training file as a BadRequestError naming the line', async () => {
    const error = await client.files
      .create({ file: await toFile(Buffer.from('{"ok": 1}\nnot json\n'), 'bad.jsonl'), purpose: 'fine-tune' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('line 2');
  });
});
