import { describe, expect, it } from 'vitest';
import { DecodeArena } from '../../../../../src/server/routes/oip/decode-arena.js';

describe('DecodeArena', () => {
  it('gives the regions of one body memory none of the others share', () => {
    const arena = new DecodeArena();
    const regions = [100, 1, 4096, 37].map((length, index) => arena.take(length).fill(index + 1));
    expect(regions.map((region, index) => region.every((byte) => byte === index + 1))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(regions.map((region) => region.length)).toEqual([100, 1, 4096, 37]);
  });

  it('reuses its memory for the next body instead of taking more', () => {
    const arena = new DecodeArena();
    const first = arena.take(1024);
    arena.reset();
    const second = arena.take(512);
    expect(second.buffer).toBe(first.buffer);
    expect(second.byteOffset).toBe(first.byteOffset);
  });

  it('grows when a body needs more, leaving the regions taken before intact', () => {
    const arena = new DecodeArena();
    const small = arena.take(8).fill(7);
    const large = arena.take(1024 * 1024).fill(9);
    expect(large.buffer).not.toBe(small.buffer);
    expect(small.every((byte) => byte === 7)).toBe(true);
    arena.reset();
    expect(arena.take(1024 * 1024).buffer).toBe(large.buffer);
  });
});
