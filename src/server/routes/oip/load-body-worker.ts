// Decodes Triton load bodies (JSON text holding base64 model files) off the event loop and
// writes the files they hold: for a 4 MiB model, decoding held the main thread about 45 ms, and
// each model's bytes in the main heap brought its next full collection nearer.
import { rmSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread, parentPort } from 'node:worker_threads';
import { HttpError } from '../../http/http-error.js';
import {
  type DeploymentFile,
  describeDeploymentFile,
  uploadFilePath,
} from '../../models/deployment/deployment-files.js';
import { DecodeArena } from './decode-arena.js';
import { type DecodedLoadBody, decodeLoadBody } from './load-body.js';
import type { LoadBodyReply, LoadBodyTask } from './load-body-messages.js';

/** Writes the decoded files where the deployment keeps them: all of them, or none. */
function writeFiles(decoded: DecodedLoadBody, uploadPrefix: string): DeploymentFile[] {
  const written: DeploymentFile[] = [];
  try {
    for (const { version, bytes } of decoded.files) {
      const path = uploadFilePath(uploadPrefix, version);
      writeFileSync(path, bytes, { flag: 'wx' });
      written.push(describeDeploymentFile(version, path, bytes));
    }
  } catch (error) {
    for (const file of written) rmSync(file.path, { force: true });
    throw error;
  }
  return written;
}

if (!isMainThread && parentPort !== null) {
  // Uploads are background work: on Linux a thread's nice value is its own (pid 0 is this
  // thread), so serving threads get the cores first. Elsewhere it may not apply; decoding is
  // the same either way.
  try {
    setPriority(0, 10);
  } catch {}
  const port = parentPort;
  const arena = new DecodeArena();
  port.on('message', ({ id, body, uploadPrefix }: LoadBodyTask) => {
    let reply: LoadBodyReply;
    try {
      arena.reset();
      const decoded = decodeLoadBody(Buffer.from(body.buffer, body.byteOffset, body.byteLength), (length) =>
        arena.take(length),
      );
      // Written here, so the model's bytes never reach the event loop's heap.
      reply = { id, ok: true, configText: decoded.configText, files: writeFiles(decoded, uploadPrefix) };
      port.postMessage(reply);
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
