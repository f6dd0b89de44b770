import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Asks `read` every `intervalMs` until `done` accepts its answer or `timeoutMs` passes, and
 * resolves with the last answer either way: the caller says what a late one means.
 *
 * @example
 * const records = await pollUntil(() => source.records(), (found) => found.length >= 3, 30_000);
 */
export async function pollUntil<Value>(
  read: () => Promise<Value>,
  done: (value: Value) => boolean,
  timeoutMs: number,
  intervalMs = 100,
): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() >= deadline) return value;
    await sleep(intervalMs);
  }
}
