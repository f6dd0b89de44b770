/**
 * Memory to decode files into, reused from one body to the next: a fresh array per file cost
 * zeroing and page faults for every megabyte, most of the decoding thread's system time. The
 * files of one body get regions that never overlap; the memory only grows, and is freed with
 * its owner (the decoding thread, which stops when idle).
 *
 * @example
 * arena.reset(); // a new body: the last body's regions are free again
 * const decoded = decodeLoadBody(body, (length) => arena.take(length));
 */
export class DecodeArena {
  #memory = new Uint8Array(0);
  #used = 0;

  /** Frees every region taken since the last reset. */
  reset(): void {
    this.#used = 0;
  }

  /** `length` bytes of memory no other region since the last reset shares. Not zeroed. */
  take(length: number): Uint8Array {
    if (this.#used + length > this.#memory.length) {
      // Regions taken before keep the old memory alive for as long as they are used.
      this.#memory = new Uint8Array(Math.max(length, 2 * this.#memory.length));
      this.#used = 0;
    }
    const region = this.#memory.subarray(this.#used, this.#used + length);
    this.#used += length;
    return region;
  }
}
