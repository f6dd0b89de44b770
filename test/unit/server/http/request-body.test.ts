import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../../src/server/http/http-error.js';
import { readRequestBody } from '../../../../src/server/http/request-body.js';

/** A server that hands each request to `read` once the request is in the state `when` waits for. */
async function readAfter(when: (request: IncomingMessage) => Promise<unknown>): Promise<unknown> {
  let settle: (outcome: unknown) => void = () => {};
  const outcome = new Promise((resolve) => {
    settle = resolve;
  });
  const server = createServer((request) => {
    void when(request).then(() => readRequestBody(request, 1024).then(settle, settle));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  // Headers and part of the body, then the client goes.
  socket.write(
    'POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":',
  );
  socket.destroy();
  const result = await outcome;
  server.close();
  return result;
}

describe('readRequestBody', () => {
  it('rejects with a 400, never waits for ever, when the connection closed before the body was read', async () => {
    // A listener, not events.once: that would reject on the request's 'aborted' error.
    const result = await readAfter((request) => new Promise((resolve) => request.once('close', resolve)));
    expect(result).toBeInstanceOf(HttpError);
    expect(result).toMatchObject({ status: 400 });
    expect((result as Error).message).toMatch(
      /connection closed before the body was read|aborted the upload/,
    );
  });

  it('rejects a body cut off while it is being read', async () => {
    const result = await readAfter(async () => undefined);
    expect(result).toBeInstanceOf(HttpError);
    expect(result).toMatchObject({ status: 400 });
  });
});

/** Posts `body` with its length declared (node:http, so no fetch another test replaced) and returns what was read. */
async function readDeclared(
  body: Buffer,
  bodyBuffer?: (length: number) => Buffer | undefined,
): Promise<Buffer> {
  let read: Promise<Buffer> | undefined;
  const server = createServer((request, response) => {
    read = readRequestBody(request, body.length, undefined, bodyBuffer);
    void read.finally(() => response.end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const posted = httpRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    headers: { 'content-length': String(body.length) },
  });
  posted.end(body);
  const [answer] = (await once(posted, 'response')) as [IncomingMessage];
  answer.resume();
  await once(answer, 'end');
  server.close();
  if (read === undefined) throw new Error('no request arrived');
  return read;
}

describe('readRequestBody of a large declared body', () => {
  it('reads every byte, in order, into one buffer as the chunks arrive', async () => {
    const body = randomBytes(3 * 1024 * 1024 + 7);
    const read = await readDeclared(body);
    expect(read.length).toBe(body.length);
    expect(Buffer.compare(read, body)).toBe(0);
  });

  it('reads into the buffer the route lends, when it lends one', async () => {
    const body = randomBytes(1024 * 1024);
    const memory = new SharedArrayBuffer(2 * 1024 * 1024);
    const lent: number[] = [];
    const read = await readDeclared(body, (length) => {
      lent.push(length);
      return Buffer.from(memory, 0, length);
    });
    expect(lent).toEqual([body.length]);
    expect(read.buffer).toBe(memory);
    expect(Buffer.compare(read, body)).toBe(0);
  });
});
