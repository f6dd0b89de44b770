import { describe, expect, it } from 'vitest';
import { flatRandomUuid } from '../../../src/retry/flat-random-uuid.js';

const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('flatRandomUuid', () => {
  // 5,000 ids span about twenty refills of the 256-id pool of random bytes.
  const ids = Array.from({ length: 5_000 }, () => flatRandomUuid());

  it('makes UUID v4 strings in the format of crypto.randomUUID, never the same one twice', () => {
    for (const id of ids) expect(id).toMatch(uuidV4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws every random digit from all 16 values, and the variant digit from all four', () => {
    const fixedDigits = new Set([8, 13, 14, 18, 19, 23]);
    for (let position = 0; position < 36; position += 1) {
      if (fixedDigits.has(position)) continue;
      expect(new Set(ids.map((id) => id[position])).size, `digit ${position}`).toBe(16);
    }
    expect(new Set(ids.map((id) => id[19]))).toEqual(new Set(['8', '9', 'a', 'b']));
  });
});
