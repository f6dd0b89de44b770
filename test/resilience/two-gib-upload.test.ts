import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamOversizeUpload } from '../integration/server-files-helpers.js';
import { exitOf, runAiaas } from '../support/aiaas-process.js';

// Issue 19: a 2 GiB upload to a server started as users start it (`aiaas serve`, default limits:
// 512 MiB a file, files kept in memory), watched from outside its process.
const key = 'sk-big-upload';
const twoGiB = 2 * 1024 ** 3;
let server: ChildProcessWithoutNullStreams;
let url: string;

/** The server's resident set now and at its peak, in bytes (Linux's /proc). */
function residentBytes(pid: number): { now: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { now: kilobytes('VmRSS'), peak: kilobytes('VmHWM') };
}

beforeAll(async () => {
  server = runAiaas(['serve', '--port', '0', '--api-key', key]);
  let stdout = '';
  url = await new Promise<string>((resolve, reject) => {
    server.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    server.once('exit', (code) => reject(new Error(`aiaas serve exited early with ${code}: ${stdout}`)));
  });
}, 60_000);
afterAll(async () => {
  const exited = exitOf(server);
  server.kill('SIGTERM');
  await exited;
});

describe('a 2 GiB upload to POST /v1/files', () => {
  it('is refused with 413 at the file limit, without the server holding it, and the server keeps serving', async () => {
    const authorization = { authorization: `Bearer ${key}` };
    const before = residentBytes(server.pid!);
    expect(await streamOversizeUpload(url, key, twoGiB)).toBe(413);
    const after = residentBytes(server.pid!);
    const grownMiB = Math.round((after.peak - before.now) / 2 ** 20);
    console.info(
      `server RSS ${Math.round(before.now / 2 ** 20)} MiB before, peak ${Math.round(after.peak / 2 ** 20)} MiB`,
    );
    // At most the 512 MiB a file may be, and some room: never the 2 GiB sent.
    expect(grownMiB).toBeLessThan(1024);

    const files = (await (await fetch(`${url}/v1/files`, { headers: authorization })).json()) as {
      data: unknown[];
    };
    expect(files.data).toEqual([]);
    const models = await fetch(`${url}/v1/models`, { headers: authorization });
    expect(models.status).toBe(200);
  }, 120_000);
});
