/**
 * One continuously refilling bucket of `limitPerMinute` units. Levels are kept in
 * 1/60,000ths of a unit, so that a clock in whole milliseconds refills a whole number of
 * sub-units (`limitPerMinute` per millisecond) and the arithmetic is exact: a test with a
 * fake clock sees the bucket full after exactly 60 s, not 59.999 s.
 */
export class TokenBucket {
  readonly limitPerMinute: number;
  /** Sub-units in a full bucket. */
  readonly #capacity: number;
  #level: number;
  #updatedAt: number;

  constructor(limitPerMinute: number, now: number) {
    this.limitPerMinute = limitPerMinute;
    this.#capacity = limitPerMinute * 60_000;
    this.#level = this.#capacity;
    this.#updatedAt = now;
  }

  /** Whole units available at `now` (never negative; a bucket in debt shows 0). */
  available(now: number): number {
    this.#refill(now);
    return Math.max(0, Math.floor(this.#level / 60_000));
  }

  /** Milliseconds until `units` are available (0 when they are now). */
  waitFor(units: number, now: number): number {
    this.#refill(now);
    const missing = units * 60_000 - this.#level;
    return missing <= 0 ? 0 : Math.ceil(missing / this.limitPerMinute);
  }

  /** Milliseconds until the bucket is full again. */
  untilFull(now: number): number {
    this.#refill(now);
    return Math.ceil((this.#capacity - this.#level) / this.limitPerMinute);
  }

  /** Removes units; a negative count gives units back. The level may go below zero (a debt). */
  take(units: number, now: number): void {
    this.#refill(now);
    this.#level = Math.min(this.#capacity, this.#level - units * 60_000);
  }

  /** True when the bucket is full: forgetting it changes nothing. */
  isFull(now: number): boolean {
    this.#refill(now);
    return this.#level >= this.#capacity;
  }

  #refill(now: number): void {
    // A clock that steps back (a test, an NTP jump) must not drain the bucket.
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#level = Math.min(this.#capacity, this.#level + elapsed * this.limitPerMinute);
    this.#updatedAt = Math.max(this.#updatedAt, now);
  }
}
