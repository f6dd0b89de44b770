interface Waiters {
  callbacks: Set<() => void>;
  /** The one listener on the signal, kept to take it off when nobody waits. */
  listener: () => void;
}

const waitersBySignal = new WeakMap<AbortSignal, Waiters>();

/**
 * Runs `callback` once when `signal` aborts, through one listener on the signal shared by
 * every caller, and returns the function that forgets it. A server-wide signal (the server's
 * closing) is awaited by every request whose work outlives its client; a listener each made
 * Node warn of a leak (`MaxListenersExceededWarning`) past ten abandoned streams, and raising
 * the limit would hide a real leak. Here the signal carries at most one listener, taken off as
 * soon as nobody waits, so its listener count returns to what it was.
 *
 * @example
 * const forget = onceAborted(closing, () => work.abort());
 * // once the work ended on its own:
 * forget();
 */
export function onceAborted(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback();
    return () => {};
  }
  let waiters = waitersBySignal.get(signal);
  if (waiters === undefined) {
    const created: Waiters = {
      callbacks: new Set(),
      listener: () => {
        waitersBySignal.delete(signal);
        for (const waiting of created.callbacks) waiting();
      },
    };
    waiters = created;
    waitersBySignal.set(signal, created);
    signal.addEventListener('abort', created.listener, { once: true });
  }
  // A wrapper per call: the same function passed twice is two waits, each forgotten on its own.
  const entry = () => callback();
  const { callbacks } = waiters;
  callbacks.add(entry);
  return () => {
    if (!callbacks.delete(entry) || callbacks.size > 0) return;
    // Nobody waits any more: the listener goes too (the next waiter adds a fresh one).
    if (waitersBySignal.get(signal) === waiters) {
      waitersBySignal.delete(signal);
      signal.removeEventListener('abort', waiters.listener);
    }
  };
}
