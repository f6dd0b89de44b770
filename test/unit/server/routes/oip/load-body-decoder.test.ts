import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../../../../src/server/http/http-error.js';
import { decodeLoadBody } from '../../../../../src/server/routes/oip/load-body.js';
import { LoadBodyDecoder } from '../../../../../src/server/routes/oip/load-body-decoder.js';

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

let decoder: LoadBodyDecoder;
afterEach(async () => {
  await decoder.close();
});

/** A body read into the memory the decoder lends, as the server's body reader does. */
function lentCopy(body: Buffer): Buffer {
  const lent = decoder.bodyBuffer(body.length);
  if (lent === undefined) throw new Error('expected a lent buffer for a large body');
  body.copy(lent);
  return lent;
}

describe('LoadBodyDecoder', () => {
  it('decodes a large body read into shared memory on its thread, as it decodes one in place', async () => {
    decoder = new LoadBodyDecoder();
    const body = loadBody(3);
    const decoded = await decoder.decode(lentCopy(body));
    const inPlace = decodeLoadBody(body);
    expect(decoded.configText).toBe(inPlace.configText);
    expect(decoded.files.map((file) => file.version)).toEqual(['3']);
    expect(Buffer.compare(Buffer.from(decoded.files[0]!.bytes), model)).toBe(0);
  });

  it('lends no memory for a small body, and separate memory to bodies read at the same time', () => {
    decoder = new LoadBodyDecoder();
    expect(decoder.bodyBuffer(1024)).toBeUndefined();
    const first = decoder.bodyBuffer(4 * 1024 * 1024);
    const second = decoder.bodyBuffer(4 * 1024 * 1024);
    expect(first?.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(second?.buffer).not.toBe(first?.buffer);
  });

  it('lends the memory of a decoded body again, whether its decoding succeeded or was refused', async () => {
    decoder = new LoadBodyDecoder();
    const good = lentCopy(loadBody(1));
    await decoder.decode(good);
    const again = decoder.bodyBuffer(good.length);
    expect(again?.buffer).toBe(good.buffer);
    const bad = Buffer.from(`{"parameters":{"file:1/model.onnx":"${'*'.repeat(again!.length - 40)}"}}`);
    bad.copy(again!);
    const refused = await decoder.decode(again!.subarray(0, bad.length)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 400, param: 'parameters.file:1/model.onnx' });
    expect(decoder.bodyBuffer(good.length)?.buffer).toBe(good.buffer);
  });
});
