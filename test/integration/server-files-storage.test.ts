import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tenantIdForKey } from '../../src/server/auth/tenant-id.js';
import { silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { abortMidUpload, uploadFile } from './server-files-helpers.js';
import { bearer, eventually } from './server-pipeline-helpers.js';
import { requestJson } from './server-test-client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'aiaas-files-storage-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const key = 'sk-files-storage';
const start = (options: { maxFileBytes?: number; maxFileBytesPerTenant?: number } = {}) =>
  startReferenceServer({ port: 0, apiKeys: [key], dataDir, logger: silentServerLogger, ...options });

describe('files kept in the data directory', () => {
  it('serves the same files, bytes included, after a restart', async () => {
    const first = await start();
    const upload = await uploadFile(first.url, key, { bytes: 'kept across restarts', name: 'kept.txt' });
    await first.close();
    const second = await start();
    try {
      const retrieved = await requestJson(`${second.url}/v1/files/${upload.body.id}`, {
        headers: bearer(key),
      });
      expect(retrieved.body).toEqual(upload.body);
      const content = await fetch(`${second.url}/v1/files/${upload.body.id}/content`, {
        headers: bearer(key),
      });
      expect(await content.text()).toBe('kept across restarts');
    } finally {
      await second.close();
    }
  });

  it("refuses an upload past the tenant's total with a 413, and takes it once space is freed", async () => {
    const server = await start({ maxFileBytes: 1000, maxFileBytesPerTenant: 1500 });
    try {
      const listed = await requestJson(`${server.url}/v1/files`, { headers: bearer(key) });
      for (const file of listed.body.data as { id: string }[])
        await requestJson(`${server.url}/v1/files/${file.id}`, { method: 'DELETE', headers: bearer(key) });
      const kept = await uploadFile(server.url, key, { bytes: 'a'.repeat(900), name: 'a.txt' });
      expect(kept.status).toBe(200);
      const refused = await uploadFile(server.url, key, { bytes: 'b'.repeat(900), name: 'b.txt' });
      expect(refused.status).toBe(413);
      expect(refused.body.error.code).toBe('file_storage_limit_exceeded');
      await requestJson(`${server.url}/v1/files/${kept.body.id}`, { method: 'DELETE', headers: bearer(key) });
      expect((await uploadFile(server.url, key, { bytes: 'b'.repeat(900), name: 'b.txt' })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('drops an upload whose client left mid-body: no partial file, its bytes released, the server up', async () => {
    const server = await start({ maxFileBytes: 100_000, maxFileBytesPerTenant: 100_000 });
    try {
      await abortMidUpload(server.url, key, 60_000);
      const tenantDir = join(dataDir, 'files', tenantIdForKey(key));
      // Were the 60,000 bytes held for ever, a 60,000-byte upload would never fit the tenant's 100,000.
      const after = await eventually(async () => {
        const upload = await uploadFile(server.url, key, { bytes: 'c'.repeat(60_000), name: 'c.txt' });
        return upload.status === 200 ? upload : undefined;
      });
      expect(readdirSync(tenantDir).filter((name) => name.endsWith('.part'))).toEqual([]);
      expect(after.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('refuses impossible file options at start-up, naming them', async () => {
    await expect(start({ maxFileBytes: 0 })).rejects.toThrow(/maxFileBytes must be a positive integer/);
    await expect(start({ maxFileBytes: 10, maxFileBytesPerTenant: 5 })).rejects.toThrow(
      /maxFileBytesPerTenant/,
    );
  });
});
