import { AbortError } from '../errors/transport-errors.js';

// Node fires a longer timer after 1 ms (with a warning), so long waits are taken in pieces.
const longestTimer = 2_147_483_647;

/** Waits `milliseconds`, or rejects as soon as `signal` fires. Injectable for tests (a virtual clock). */
export type Sleep = (milliseconds: number, signal: AbortSignal | undefined) => Promise<void>;

/**
 * The default {@link Sleep}: a timer that is cleared the moment the caller aborts, so an
 * aborted call does not linger for the rest of a long `retry-after`.
 *
 * It never returns early: Node may fire a timer up to a millisecond before its due time by
 * `performance.now()`, and a server that said "wait 100 ms" must not see us back after 99.
 *
 * @example
 * await abortableSleep(250, controller.signal);
 */
export const abortableSleep: Sleep = (milliseconds, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortError('The wait before a retry was aborted by the caller.', { cause: signal.reason }));
      return;
    }
    const due = performance.now() + milliseconds;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError('The wait before a retry was aborted by the caller.', { cause: signal?.reason }));
    };
    const wait = (remaining: number) => {
      timer = setTimeout(
        () => {
          const left = due - performance.now();
          if (left > 0) {
            wait(left);
            return;
          }
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.min(Math.ceil(remaining), longestTimer),
      );
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    wait(milliseconds);
  });
