// Decodes Triton load bodies (JSON text holding base64 model files) off the event loop: for a
// 4 MiB model, text, JSON and base64 decoding held the main thread about 45 ms.
import { setPriority } from 'node:os';
import { isMainThread, parentPort } from 'node:worker_threads';
import { HttpError } from '../../http/http-error.js';
import { decodeLoadBody } from './load-body.js';
import type { LoadBodyReply, LoadBodyTask } from './load-body-messages.js';

/** A copy only when the bytes share their buffer (Node's pool), so every file can be transferred. */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : new Uint8Array(bytes);
}

if (!isMainThread && parentPort !== null) {
  // Uploads are background work: on Linux a thread's nice value is its own (pid 0 is this
  // thread), so serving threads get the cores first. Elsewhere it may not apply; decoding is
  // the same either way.
  try {
    setPriority(0, 10);
  } catch {}
  const port = parentPort;
  port.on('message', ({ id, body }: LoadBodyTask) => {
    let reply: LoadBodyReply;
    try {
      const decoded = decodeLoadBody(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
      const files = decoded.files.map((file) => ({ version: file.version, bytes: ownBuffer(file.bytes) }));
      reply = { id, ok: true, configText: decoded.configText, files };
      port.postMessage(
        reply,
        files.map((file) => file.bytes.buffer as ArrayBuffer),
      );
    } catch (error) {
      const known = error instanceof HttpError ? error : undefined;
      reply = {
        id,
        ok: false,
        status: known?.status ?? 500,
        message: (error as Error).message,
        param: known?.param,
        code: known?.code,
      };
      port.postMessage(reply);
    }
  });
}
