import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import { BadRequestError, NotFoundError } from '../../src/errors/index.js';
import { UnsupportedOperationError } from '../../src/providers/unsupported-operation-error.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';

const apiKey = 'sk-client-files';
const directory = mkdtempSync(join(tmpdir(), 'aiaas-client-files-'));
let server: ReferenceServer;
let client: AiaasClient;
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, apiKeys: [apiKey], logger: silentServerLogger });
  client = new AiaasClient({ baseURL: server.url, apiKey, logLevel: 'off', maxRetries: 0 });
});
afterAll(async () => {
  await client.close();
  await server.close();
  rmSync(directory, { recursive: true, force: true });
});

const training = '{"input": "a fine day", "label": 1}\n{"input": "a dreadful day", "label": 0}\n';

describe('client.files', () => {
  it('uploads bytes, a Blob and a path, reads each back byte for byte, and deletes them', async () => {
    const path = join(directory, 'train.jsonl');
    writeFileSync(path, training);
    const bytes = Uint8Array.from({ length: 1000 }, (_, index) => (index * 31) % 256);
    const uploads = [
      { file: bytes, filename: 'bytes.bin', purpose: 'user_data', expected: bytes, name: 'bytes.bin' },
      {
        file: new File([training], 'blob.jsonl'),
        purpose: 'fine-tune',
        expected: Buffer.from(training),
        name: 'blob.jsonl',
      },
      { file: path, purpose: 'fine-tune', expected: Buffer.from(training), name: 'train.jsonl' },
    ];
    for (const { expected, name, ...params } of uploads) {
      const created = await client.files.create(params);
      expect(created).toMatchObject({
        object: 'file',
        filename: name,
        bytes: expected.length,
        purpose: params.purpose,
      });
      expect(await client.files.retrieve(created.id)).toEqual(created);
      expect(Buffer.from(await client.files.content(created.id)).equals(Buffer.from(expected))).toBe(true);
      expect(await client.files.delete(created.id)).toMatchObject({ id: created.id, deleted: true });
      await expect(client.files.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
    }
  });

  it('walks every page of the list with for await', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 5; index++)
      ids.push(
        (
          await client.files.create({
            file: Buffer.from(`${index}`),
            filename: `${index}.txt`,
            purpose: 'batch',
          })
        ).id,
      );
    const seen: string[] = [];
    for await (const file of client.files.list({ purpose: 'batch', limit: 2, order: 'asc' }))
      seen.push(file.id);
    expect(seen).toEqual(ids);
    const first = await client.files.list({ purpose: 'batch', limit: 2 });
    expect(first.data.map((file) => file.id)).toEqual([ids[4], ids[3]]);
    const second = await first.getNextPage();
    expect(second.data.map((file) => file.id)).toEqual([ids[2], ids[1]]);
  });

  it('sends expires_after, and surfaces a too short one as the 400 naming it', async () => {
    const file = await client.files.create({
      file: Buffer.from('brief'),
      purpose: 'user_data',
      expires_after: { anchor: 'created_at', seconds: 3600 },
    });
    expect(file.expires_at).toBe(file.created_at + 3600);
    const error = await client.files
      .create({
        file: Buffer.from('x'),
        purpose: 'user_data',
        expires_after: { anchor: 'created_at', seconds: 5 },
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as Error).message).toContain('expires_after[seconds] must be an integer from 3600');
  });

  it("surfaces the server's 400 for malformed JSONL, naming the line", async () => {
    const error = await client.files
      .create({ file: Buffer.from('{"a": 1}\n{"a": \n'), filename: 'bad.jsonl', purpose: 'fine-tune' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as Error).message).toContain('line 2');
  });

  it('throws UnsupportedOperationError on a provider without files', async () => {
    const oip = new AiaasClient({ provider: 'oip', baseURL: `${server.url}/v2`, apiKey, logLevel: 'off' });
    await expect(oip.files.list()).rejects.toBeInstanceOf(UnsupportedOperationError);
    await oip.close();
  });
});
