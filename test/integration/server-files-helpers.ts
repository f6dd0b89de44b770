import { request as httpRequest } from 'node:http';

/** Uploads through `POST /v1/files` as a browser form would: fetch's own multipart encoding. */
export async function uploadFile(
  url: string,
  key: string,
  file: { bytes: Uint8Array | string; name: string },
  fields: Record<string, string> = { purpose: 'user_data' },
) {
  const form = new FormData();
  form.append('file', new Blob([file.bytes]), file.name);
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const response = await fetch(`${url}/v1/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
    body: form,
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers and assert on their shape.
  const body = (await response.json()) as any;
  return { status: response.status, body };
}

/** Opens a chunked multipart `POST /v1/files` (no content-length) with `boundary`. */
function openChunkedUpload(url: string, key: string, boundary: string) {
  return httpRequest(`${url}/v1/files`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'transfer-encoding': 'chunked',
    },
  });
}

/**
 * Streams a chunked multipart upload (no content-length) of `fileBytes` bytes in 16 KiB chunks,
 * so the server can only find it too large as the bytes arrive. Resolves with the status.
 */
export function streamOversizeUpload(url: string, key: string, fileBytes: number): Promise<number> {
  const boundary = 'aiaas-test-boundary';
  return new Promise((resolve, reject) => {
    const request = openChunkedUpload(url, key, boundary);
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    // The server may close while we still send; the status already came (or the test fails on it).
    request.on('error', (error) => reject(error));
    request.write(`--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n`);
    request.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`);
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    let sent = 0;
    const pump = () => {
      while (sent < fileBytes && !request.destroyed) {
        sent += chunk.length;
        if (!request.write(chunk)) {
          request.once('drain', pump);
          return;
        }
      }
      if (!request.destroyed) request.end(`\r\n--${boundary}--\r\n`);
    };
    pump();
  });
}

/** Starts a chunked upload, sends `bytes` of the file, then drops the connection mid-body. */
export async function abortMidUpload(url: string, key: string, bytes: number): Promise<void> {
  const boundary = 'aiaas-abort-boundary';
  const request = openChunkedUpload(url, key, boundary);
  request.on('error', () => {});
  request.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.bin"\r\n\r\n`);
  await new Promise<void>((resolve) => request.write(Buffer.alloc(bytes, 0x62), () => resolve()));
  request.destroy();
}
