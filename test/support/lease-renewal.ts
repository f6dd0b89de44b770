import { expect, vi } from 'vitest';
import type { BudgetStore, StoredBudgetCharge } from '../../src/cost/budget-store.js';

/**
 * Reads the charges of `keys`, then waits (polling, up to `timeoutMs`) until each one's lease has
 * been renewed past the expiry first read: their owner is alive and holding them. Resolves with
 * the charges as first read.
 *
 * @example
 * const first = await leasesRenewed(store, keys);
 * expect(first.map((charge) => charge.state)).toEqual(keys.map(() => 'reserved'));
 */
export async function leasesRenewed(
  store: BudgetStore,
  keys: readonly string[],
  timeoutMs = 10_000,
): Promise<StoredBudgetCharge[]> {
  const first = await store.charges({ idempotencyKeys: keys });
  await vi.waitFor(
    async () => {
      const now = await store.charges({ idempotencyKeys: keys });
      expect(
        now.every((charge, index) => charge.expiresAt > (first[index] as StoredBudgetCharge).expiresAt),
      ).toBe(true);
    },
    { timeout: timeoutMs, interval: 100 },
  );
  return first;
}
