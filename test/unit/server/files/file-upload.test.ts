import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileUpload } from '../../../../src/server/files/file-upload.js';
import { HttpError } from '../../../../src/server/http/http-error.js';

const dir = mkdtempSync(join(tmpdir(), 'aiaas-file-upload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FileUpload.discard', () => {
  it('leaves no file behind when an upload is refused before its file finished opening', async () => {
    // A 413 on the first chunk discards the upload while the file is still being opened.
    const refuse = (bytes: number) => (bytes > 4 ? new HttpError(413, 'too large') : undefined);
    for (let index = 0; index < 100; index++) {
      const upload = new FileUpload(join(dir, `upload-${index}`), refuse);
      await expect(upload.write(Buffer.from('0123456789'))).rejects.toMatchObject({ status: 413 });
      await upload.discard();
    }
    const opened = new FileUpload(join(dir, 'written'), refuse);
    await opened.write(Buffer.from('ok'));
    await opened.finish();
    await opened.discard();
    expect(readdirSync(dir)).toEqual([]);
  });
});
