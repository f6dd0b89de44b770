/**
 * A seeded PRNG (mulberry32; `createSeededRandom` hands out its `next`) whose state can be saved
 * and restored, so a resumed training run draws exactly what an uninterrupted one would.
 */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Continues from a state saved by `state`. */
  static restore(state: readonly number[]): SeededRandom {
    const [saved] = state;
    if (state.length !== 1 || !Number.isInteger(saved) || saved! < 0 || saved! > 0xffffffff)
      throw new RangeError(`SeededRandom.restore: [${state.join(', ')}] is not a saved state`);
    const random = new SeededRandom(0);
    random.#state = saved!;
    return random;
  }

  get state(): number[] {
    return [this.#state];
  }

  /** A float in [0, 1). */
  readonly next = (): number => {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let mixed = this.#state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
