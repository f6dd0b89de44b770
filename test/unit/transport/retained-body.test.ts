import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { retainedBody } from '../../../src/transport/retained-body.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (chunks: Uint8Array[]) => chunks.map((chunk) => new TextDecoder().decode(chunk)).join('');

describe('retainedBody', () => {
  it('yields every chunk that arrived before a break, then throws the break', async () => {
    const body = new Readable({ read() {} });
    const received: Uint8Array[] = [];
    const iterator = retainedBody(body)[Symbol.asyncIterator]();
    body.push(bytes('id: 1\n\n'));
    received.push((await iterator.next()).value as Uint8Array);
    // Two more arrive while the reader is busy, then the socket breaks: a plain stream would drop them.
    body.push(bytes('id: 2\n\n'));
    body.push(bytes('id: 3\n\n'));
    await new Promise((resolve) => setImmediate(resolve));
    body.destroy(new Error('other side closed'));
    await new Promise((resolve) => setImmediate(resolve));
    for (;;) {
      const next = await iterator.next().catch((error: unknown) => error);
      if (next instanceof Error) {
        expect(next.message).toBe('other side closed');
        break;
      }
      if ((next as IteratorResult<Uint8Array>).done) throw new Error('ended without the break');
      received.push((next as IteratorResult<Uint8Array>).value as Uint8Array);
    }
    expect(text(received)).toBe('id: 1\n\nid: 2\n\nid: 3\n\n');
  });

  it('ends normally, pauses a fast source past the high-water mark, and destroys the body when left early', async () => {
    const body = Readable.from([bytes('a'), bytes('b'), bytes('c')], { objectMode: false });
    const chunks: Uint8Array[] = [];
    for await (const chunk of retainedBody(body, 1)) chunks.push(chunk);
    expect(text(chunks)).toBe('abc');
    const left = new Readable({ read() {} });
    left.push(bytes('x'));
    for await (const _chunk of retainedBody(left)) break;
    expect(left.destroyed).toBe(true);
  });
});
