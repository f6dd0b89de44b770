import type { BudgetStore } from '../../src/cost/budget-store.js';

/** A store that yields to the event loop a seeded-random number of times around every call. */
export function interleavingStore(inner: BudgetStore, seed: number): BudgetStore {
  let state = seed;
  const pause = async () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const turns = state % 4;
    for (let turn = 0; turn < turns; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  };
  const wrap =
    <Arguments extends unknown[], Result>(method: (...parameters: Arguments) => Promise<Result>) =>
    async (...parameters: Arguments) => {
      await pause();
      const result = await method(...parameters);
      await pause();
      return result;
    };
  return {
    reserve: wrap(inner.reserve.bind(inner)),
    settle: wrap(inner.settle.bind(inner)),
    release: wrap(inner.release.bind(inner)),
    tally: wrap(inner.tally.bind(inner)),
    renew: wrap(inner.renew.bind(inner)),
    claimExpired: wrap(inner.claimExpired.bind(inner)),
    claimCorrection: wrap(inner.claimCorrection.bind(inner)),
    charges: wrap(inner.charges.bind(inner)),
    close: () => inner.close(),
  };
}
