import { MessageChannel, type MessagePort } from 'node:worker_threads';

/** A closed port: what moves into a message on it is dropped at once. */
let closedPort: MessagePort | undefined;

function closePort(): MessagePort {
  const { port1, port2 } = new MessageChannel();
  port1.close();
  port2.close();
  return port1;
}

/**
 * The ArrayBuffer (not shared memory) that `view` spans the whole of, so moving it moves nothing
 * else; undefined when there is none.
 */
export function wholeBufferOf(view: ArrayBufferView): ArrayBuffer | undefined {
  const { buffer } = view;
  const whole =
    buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength;
  return whole ? buffer : undefined;
}

/**
 * Frees the memory of a view that owns its ArrayBuffer, now rather than at a later garbage
 * collection, and says whether it could; the view reads as empty afterwards. Posting the
 * ArrayBuffer on a closed port moves it out (the HTML spec transfers even then), and Node drops
 * the message and its bytes right there (measured on Node 20, 22 and 24). Until a collection,
 * V8 counts such memory against the heap that holds the view: 4 MiB request bodies brought a
 * full collection of the main heap every few uploads, and ref-chat's 512 KiB of logits per
 * decode step one of the inference thread's heap every ~250 ms.
 *
 * @example
 * whole.set(chunk, offset);
 * releaseBufferMemory(chunk); // copied: nothing reads it again
 */
export function releaseBufferMemory(view: ArrayBufferView): boolean {
  const buffer = wholeBufferOf(view);
  if (buffer === undefined) return false;
  closedPort ??= closePort();
  closedPort.postMessage(undefined, [buffer]);
  return true;
}
