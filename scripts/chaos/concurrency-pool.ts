/**
 * Runs `task` over every item with at most `concurrency` in flight, and resolves with the
 * results in item order. `task` must not throw (a chaos run turns every failure into a value);
 * if it does, the pool rejects once the tasks already started have settled.
 *
 * @example
 * const outcomes = await runPool(calls, 32, (call) => executePlannedCall(clients, call));
 */
export async function runPool<Item, Result>(
  items: readonly Item[],
  concurrency: number,
  task: (item: Item) => Promise<Result>,
): Promise<Result[]> {
  const results: Result[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as Item);
    }
  };
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, worker);
  const settled = await Promise.allSettled(workers);
  const failure = settled.find((outcome) => outcome.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return results;
}
