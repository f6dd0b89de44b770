import { AsyncLocalStorage } from 'node:async_hooks';

// Made on first use: on Node 20 and 22 a live AsyncLocalStorage taxes every promise, so a client
// whose calls never set their own `maxResponseBytes` never makes one.
let scope: AsyncLocalStorage<number> | undefined;

/**
 * Runs `work` so that every request it makes through a transport reads at most
 * `maxResponseBytes` per response: how a call's own limit reaches the transport through a
 * provider, whose options carry only the signal and the timeout.
 *
 * @example
 * await withResponseLimit(1 << 20, () => provider.doChat(request, providerOptions));
 */
export function withResponseLimit<Result>(maxResponseBytes: number, work: () => Result): Result {
  scope ??= new AsyncLocalStorage<number>();
  return scope.run(maxResponseBytes, work);
}

/** The limit of the call whose work is running, if it set one. */
export function responseLimitInScope(): number | undefined {
  return scope?.getStore();
}
