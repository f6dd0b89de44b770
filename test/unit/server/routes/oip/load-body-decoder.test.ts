import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../../../../src/server/http/http-error.js';
import type { DeploymentFile } from '../../../../../src/server/models/deployment/deployment-files.js';
import { decodeLoadBody } from '../../../../../src/server/routes/oip/load-body.js';
import { LoadBodyDecoder } from '../../../../../src/server/routes/oip/load-body-decoder.js';
import { useTemporaryDirectories } from '../../../../support/temporary-directories.js';

const model = readFileSync(new URL('../../../../../models/ref-embed/1/model.onnx', import.meta.url));
const loadBody = (version: number) =>
  Buffer.from(
    JSON.stringify({
      parameters: {
        config: '{"backend":"onnxruntime"}',
        [`file:${version}/model.onnx`]: model.toString('base64'),
      },
    }),
  );
const temporaryDirectory = useTemporaryDirectories('aiaas-load-body');

let decoder: LoadBodyDecoder;
let directory: string;
let uploads = 0;
const uploadPrefix = async () => join(directory, `upload-${++uploads}`);

afterEach(async () => {
  await decoder.close();
});

function newDecoder(): LoadBodyDecoder {
  directory = temporaryDirectory();
  decoder = new LoadBodyDecoder();
  return decoder;
}

/** A body read into the memory the decoder lends, as the server's body reader does. */
function lentCopy(body: Buffer): Buffer {
  const lent = decoder.bodyBuffer(body.length);
  if (lent === undefined) throw new Error('expected a lent buffer for a large body');
  body.copy(lent);
  return lent;
}

describe('LoadBodyDecoder', () => {
  it('decodes a large body on its thread and writes its file there, as one decodes in place', async () => {
    newDecoder();
    const body = loadBody(3);
    const decoded = await decoder.decode(lentCopy(body), uploadPrefix);
    const inPlace = decodeLoadBody(body);
    expect(decoded.configText).toBe(inPlace.configText);
    const [file] = decoded.files as DeploymentFile[];
    expect(file).toMatchObject({ version: '3', size: model.length, problem: undefined });
    expect(Buffer.compare(readFileSync(file!.path), model)).toBe(0);
  });

  it('writes every file of a body, and of the next, whole, though the thread reuses its memory', async () => {
    newDecoder();
    const other = Buffer.from(model.map((byte) => byte ^ 0x5a));
    const twoFiles = Buffer.from(
      JSON.stringify({
        parameters: {
          'file:1/model.onnx': model.toString('base64'),
          'file:2/model.onnx': other.toString('base64'),
        },
      }),
    );
    const first = (await decoder.decode(lentCopy(twoFiles), uploadPrefix)).files as DeploymentFile[];
    const next = (await decoder.decode(lentCopy(loadBody(3)), uploadPrefix)).files as DeploymentFile[];
    expect([...first, ...next].map((file) => file.version)).toEqual(['1', '2', '3']);
    expect(Buffer.compare(readFileSync(first[0]!.path), model)).toBe(0);
    expect(Buffer.compare(readFileSync(first[1]!.path), other)).toBe(0);
    expect(Buffer.compare(readFileSync(next[0]!.path), model)).toBe(0);
  });

  it('decodes a small body in place, its files left in memory', async () => {
    newDecoder();
    const small = Buffer.from('{"parameters":{"file:1/model.onnx":"CAg="}}');
    expect(decoder.bodyBuffer(small.length)).toBeUndefined();
    expect(await decoder.decode(small, uploadPrefix)).toEqual({
      files: [{ version: '1', bytes: new Uint8Array([8, 8]) }],
    });
    expect(readdirSync(directory)).toEqual([]);
  });

  it('lends separate memory to bodies read at the same time', () => {
    newDecoder();
    const first = decoder.bodyBuffer(4 * 1024 * 1024);
    const second = decoder.bodyBuffer(4 * 1024 * 1024);
    expect(first?.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(second?.buffer).not.toBe(first?.buffer);
  });

  it('lends the memory of a decoded body again, whether its decoding succeeded or was refused', async () => {
    newDecoder();
    const good = lentCopy(loadBody(1));
    await decoder.decode(good, uploadPrefix);
    const again = decoder.bodyBuffer(good.length);
    expect(again?.buffer).toBe(good.buffer);
    const bad = Buffer.from(`{"parameters":{"file:1/model.onnx":"${'*'.repeat(again!.length - 40)}"}}`);
    bad.copy(again!);
    const refused = await decoder
      .decode(again!.subarray(0, bad.length), uploadPrefix)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 400, param: 'parameters.file:1/model.onnx' });
    expect(decoder.bodyBuffer(good.length)?.buffer).toBe(good.buffer);
    // The refused body wrote nothing.
    expect(readdirSync(directory)).toHaveLength(1);
  });
});
