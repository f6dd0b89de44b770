/**
 * Resolves on the next turn of the event loop, once every promise reaction and `nextTick`
 * already queued has run. For seeing that something did *not* happen in reaction to what came
 * before (an eager read, an early settle, a pending read that has reached its body); not for
 * waiting on sockets or timers, which this does not wait for.
 *
 * @example
 * const waiting = store.begin('t', 'k', 'h').wait();
 * await nextTurn();
 * expect(settled).toBe(false);
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
