import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantIdForKey } from '../../src/server/auth/tenant-id.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { serverUsageListSchema } from '../../src/wire/aiaas/server-usage-schemas.js';
import { streamOversizeUpload, uploadFile } from './server-files-helpers.js';
import { bearer, eventually } from './server-pipeline-helpers.js';
import { requestJson } from './server-test-client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'aiaas-files-'));
const [alice, bob] = ['sk-files-alice', 'sk-files-bob'];
const maxFileBytes = 64 * 1024;
let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({
    port: 0,
    apiKeys: [alice, bob],
    dataDir,
    maxFileBytes,
    minFileExpirySeconds: 1,
    logger: silentServerLogger,
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const get = (path: string, key = alice) => requestJson(`${server.url}${path}`, { headers: bearer(key) });
const tenantFiles = (key: string) => readdirSync(join(dataDir, 'files', tenantIdForKey(key)));
const trainingLines = '{"input": "good", "label": 1}\n{"input": "bad", "label": 0}\n';

describe('POST /v1/files and reading files back', () => {
  it('uploads, retrieves and returns the exact bytes', async () => {
    const bytes = Uint8Array.from({ length: 3000 }, (_, index) => (index * 7) % 256);
    const upload = await uploadFile(server.url, alice, { bytes, name: 'blob.bin' });
    expect(upload.status).toBe(200);
    expect(upload.body).toMatchObject({
      object: 'file',
      bytes: 3000,
      filename: 'blob.bin',
      purpose: 'user_data',
    });
    expect(upload.body.id).toMatch(/^file-/);
    const retrieved = await get(`/v1/files/${upload.body.id}`);
    expect(retrieved.body).toEqual(upload.body);
    const content = await fetch(`${server.url}/v1/files/${upload.body.id}/content`, {
      headers: bearer(alice),
    });
    expect(Buffer.from(await content.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('accepts a fine-tune JSONL file and names the bad line of a malformed one', async () => {
    const good = await uploadFile(
      server.url,
      alice,
      { bytes: trainingLines, name: 'train.jsonl' },
      { purpose: 'fine-tune' },
    );
    expect(good.status).toBe(200);
    const bad = await uploadFile(
      server.url,
      alice,
      { bytes: `${trainingLines}{"input": "x", "label": 1\n`, name: 'broken.jsonl' },
      { purpose: 'fine-tune' },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('line 3');
    const array = await uploadFile(
      server.url,
      alice,
      { bytes: '[1, 2]\n', name: 'array.jsonl' },
      { purpose: 'fine-tune' },
    );
    expect(array.body.error.message).toContain('line 1 is not a JSON object');
  });

  it('refuses a bad purpose, a missing file and an empty file with 400s naming them', async () => {
    const purpose = await uploadFile(
      server.url,
      alice,
      { bytes: 'x', name: 'a.txt' },
      { purpose: 'training' },
    );
    expect(purpose.status).toBe(400);
    expect(purpose.body.error).toMatchObject({ param: 'purpose', type: 'invalid_request_error' });
    expect(purpose.body.error.message).toContain("'training'");
    const empty = await uploadFile(server.url, alice, { bytes: '', name: 'empty.txt' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain("'empty.txt' is empty");
    const form = new FormData();
    form.append('purpose', 'batch');
    const missing = await fetch(`${server.url}/v1/files`, {
      method: 'POST',
      headers: bearer(alice),
      body: form,
    });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { param: string } }).error.param).toBe('file');
  });

  it('answers an oversize streamed upload 413 and keeps serving, with nothing left on disk', async () => {
    const before = tenantFiles(alice).length;
    expect(await streamOversizeUpload(server.url, alice, maxFileBytes + 16 * 1024)).toBe(413);
    // Far past the limit too: the server stops reading at the limit, drops the rest and answers.
    expect(await streamOversizeUpload(server.url, alice, 64 * maxFileBytes)).toBe(413);
    expect((await get('/v1/files')).status).toBe(200);
    expect(tenantFiles(alice).length).toBe(before);
  });
});

describe('listing, deleting and isolation', () => {
  it('pages through the list with after and limit, newest first by default', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 3; index++)
      ids.push(
        (
          await uploadFile(
            server.url,
            bob,
            { bytes: `b${index}`, name: `b${index}.txt` },
            { purpose: 'batch' },
          )
        ).body.id,
      );
    const first = await get('/v1/files?limit=2&purpose=batch', bob);
    expect(first.body).toMatchObject({ object: 'list', has_more: true, first_id: ids[2], last_id: ids[1] });
    const second = await get(`/v1/files?limit=2&purpose=batch&after=${first.body.last_id}`, bob);
    expect(second.body.data.map((file: { id: string }) => file.id)).toEqual([ids[0]]);
    expect(second.body.has_more).toBe(false);
    const ascending = await get('/v1/files?order=asc&purpose=batch', bob);
    expect(ascending.body.data.map((file: { id: string }) => file.id)).toEqual(ids);
    expect((await get('/v1/files?limit=0', bob)).body.error.param).toBe('limit');
  });

  it("hides a tenant's files from another tenant exactly like a missing id", async () => {
    const upload = await uploadFile(server.url, alice, { bytes: 'secret', name: 's.txt' });
    const other = await get(`/v1/files/${upload.body.id}`, bob);
    const missing = await get('/v1/files/file-doesnotexist', bob);
    expect(other.status).toBe(404);
    expect(other.body.error.message).toBe(`No such File object: ${upload.body.id}`);
    expect(missing.body.error.code).toBe(other.body.error.code);
    expect((await get(`/v1/files/${upload.body.id}/content`, bob)).status).toBe(404);
    const list = await get('/v1/files', bob);
    expect(list.body.data.some((file: { id: string }) => file.id === upload.body.id)).toBe(false);
  });

  it('deletes a file: 404 afterwards and its bytes gone from the data directory', async () => {
    const upload = await uploadFile(server.url, alice, { bytes: 'to delete', name: 'd.txt' });
    expect(tenantFiles(alice)).toContain(upload.body.id);
    const deleted = await requestJson(`${server.url}/v1/files/${upload.body.id}`, {
      method: 'DELETE',
      headers: bearer(alice),
    });
    expect(deleted.body).toEqual({ id: upload.body.id, object: 'file', deleted: true });
    expect((await get(`/v1/files/${upload.body.id}`)).status).toBe(404);
    expect(tenantFiles(alice).filter((name) => name.startsWith(upload.body.id))).toEqual([]);
  });

  it('lets an expired file disappear from retrieve and list', async () => {
    const fields = {
      purpose: 'user_data',
      'expires_after[anchor]': 'created_at',
      'expires_after[seconds]': '1',
    };
    const upload = await uploadFile(server.url, alice, { bytes: 'brief', name: 'e.txt' }, fields);
    expect(upload.body.expires_at).toBe(upload.body.created_at + 1);
    await eventually(async () =>
      (await get(`/v1/files/${upload.body.id}`)).status === 404 ? true : undefined,
    );
    const list = await get('/v1/files');
    expect(list.body.data.some((file: { id: string }) => file.id === upload.body.id)).toBe(false);
  });
});

describe('billing', () => {
  it("bills an upload by the bytes received, priced from the rate card's aiaas-files", async () => {
    const upload = await uploadFile(server.url, bob, { bytes: 'x'.repeat(5000), name: 'billed.txt' });
    const usage = await eventually(async () => {
      const answer = serverUsageListSchema.parse((await get('/v1/usage', bob)).body);
      return answer.data.find((record) => record.model === 'aiaas-files' && record.usage.bytes_in > 5000);
    });
    expect(upload.status).toBe(200);
    expect(Number(usage.cost.amount)).toBeGreaterThan(0);
  });
});
