import type { Sleep } from '../../../src/retry/index.js';

/** A clock that only moves when told: sleeps advance it at once, so timing tests take no real time. */
export function virtualClock(start = 1_000_000) {
  let time = start;
  const sleeps: number[] = [];
  const sleep: Sleep = async (milliseconds) => {
    sleeps.push(milliseconds);
    time += milliseconds;
  };
  return {
    now: () => time,
    sleep,
    sleeps,
    advance(milliseconds: number) {
      time += milliseconds;
    },
  };
}
