import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../../src/server/generation/sampler.js';
import { SeededRandom } from '../../../../src/server/generation/seeded-random.js';

describe('SeededRandom', () => {
  it("draws generation's createSeededRandom sequence (the scripts' models depend on it)", () => {
    for (const seed of [0, 42, 100, 0xffffffff]) {
      const expected = createSeededRandom(seed);
      const random = new SeededRandom(seed);
      for (let draw = 0; draw < 1000; draw++) expect(random.next()).toBe(expected());
    }
  });

  it('continues from a saved state exactly, across structuredClone', () => {
    const random = new SeededRandom(7);
    for (let draw = 0; draw < 10; draw++) random.next();
    const restored = SeededRandom.restore(structuredClone(random.state));
    const ahead = Array.from({ length: 100 }, () => random.next());
    expect(Array.from({ length: 100 }, () => restored.next())).toEqual(ahead);
  });

  it('refuses a state it did not save', () => {
    expect(() => SeededRandom.restore([])).toThrow(/not a saved state/);
    expect(() => SeededRandom.restore([1.5])).toThrow(/not a saved state/);
    expect(() => SeededRandom.restore([2 ** 32])).toThrow(/not a saved state/);
  });
});
