/**
 * Running totals of the charges of one scope in one currency: the sum of the open reservations,
 * and every settlement in settle-time order with prefix sums, so that spend since any moment is
 * a binary search (and a `total` window the last prefix sum) instead of a walk over every charge.
 * A settlement taken back (an expired charge settled later) is added again with negative units.
 */
export class ScopeTotals {
  /** The amounts of the open reservations, added up. */
  reserved = 0n;
  /** Settle times, ascending. */
  private readonly times: number[] = [];
  /** `sums[i]`: the settlements at `times[0]` to `times[i]`, added up. */
  private readonly sums: bigint[] = [];

  addSettlement(time: number, units: bigint): void {
    // A time that is not a number is in no window (no comparison with it is true).
    if (Number.isNaN(time)) return;
    const { times, sums } = this;
    const count = times.length;
    if (count === 0 || (times[count - 1] as number) <= time) {
      times.push(time);
      sums.push(count === 0 ? units : (sums[count - 1] as bigint) + units);
      return;
    }
    // Out of order (a clock set back, or settle times given by the caller): insert after any
    // settlement at the same time, and every prefix sum after it grows by `units`.
    const at = this.firstAfter(time);
    times.splice(at, 0, time);
    sums.splice(at, 0, (at === 0 ? 0n : (sums[at - 1] as bigint)) + units);
    for (let index = at + 1; index < sums.length; index++) sums[index] = (sums[index] as bigint) + units;
  }

  /** Spend settled at or after `since`, in milliseconds (every settlement when null). */
  spentSince(since: number | null): bigint {
    const { sums } = this;
    const spent = sums.length === 0 ? 0n : (sums[sums.length - 1] as bigint);
    if (since === null) return spent;
    // No time is at or after NaN (an invalid Date).
    if (Number.isNaN(since)) return 0n;
    const first = this.firstAtOrAfter(since);
    return first === 0 ? spent : spent - (sums[first - 1] as bigint);
  }

  /** The first index whose time is `>= time` (the length when there is none). */
  private firstAtOrAfter(time: number): number {
    const { times } = this;
    let low = 0;
    let high = times.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((times[middle] as number) < time) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The first index whose time is `> time` (the length when there is none). */
  private firstAfter(time: number): number {
    const { times } = this;
    let low = 0;
    let high = times.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((times[middle] as number) <= time) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
