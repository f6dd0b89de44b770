import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits `milliseconds`, or less when any of `signals` fires first (the client left, the
 * server is closing). Never rejects: the caller checks its signals to see why it woke up.
 * Without a timeout (`milliseconds` undefined) it waits for a signal alone.
 *
 * @example
 * await abortablePause(200, [context.signal, context.closing]);
 */
export async function abortablePause(
  milliseconds: number | undefined,
  signals: readonly AbortSignal[],
): Promise<void> {
  const signal = AbortSignal.any([...signals]);
  if (signal.aborted) return;
  if (milliseconds === undefined) {
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    return;
  }
  await sleep(milliseconds, undefined, { signal }).catch(() => undefined);
}
