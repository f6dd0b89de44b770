import { onceAborted } from './shared-abort-listener.js';

/** A signal for a request's work plus the function that frees its timer and listeners. */
export interface DetachedWork {
  signal: AbortSignal;
  release(): void;
}

/**
 * The abort signal of work that is worth finishing after its client left: a POST with an
 * Idempotency-Key, whose answer (or recorded stream) a retry or a `Last-Event-ID` resume
 * will pick up. It fires only `limitMs` after the disconnect, or at once when the server is
 * closing while the client is gone, so abandoned work stays bounded and `close()` prompt.
 *
 * @example
 * const work = detachedWorkSignal(disconnected, closing, 30_000);
 * chat.generate(ids, options, meter, work.signal);
 * // once the work ended:
 * work.release();
 */
export function detachedWorkSignal(
  disconnected: AbortSignal,
  closing: AbortSignal,
  limitMs: number,
): DetachedWork {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let forgetClosing = () => {};
  const stop = () => {
    release();
    controller.abort(new Error('The work was abandoned: its client left and nobody resumed it in time.'));
  };
  const onDisconnect = () => {
    if (closing.aborted) {
      stop();
      return;
    }
    timer = setTimeout(stop, limitMs);
    // An abandoned generation must not keep the process alive on its own.
    timer.unref();
    // Shared: every abandoned stream waits on the one closing signal, so one listener serves them all.
    forgetClosing = onceAborted(closing, stop);
  };
  const release = () => {
    clearTimeout(timer);
    disconnected.removeEventListener('abort', onDisconnect);
    forgetClosing();
  };
  if (disconnected.aborted) onDisconnect();
  else disconnected.addEventListener('abort', onDisconnect, { once: true });
  return { signal: controller.signal, release };
}
