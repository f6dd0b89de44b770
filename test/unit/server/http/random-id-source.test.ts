import { describe, expect, it } from 'vitest';
import { randomIdSource } from '../../../../src/server/http/random-id-source.js';

describe('randomIdSource', () => {
  it('keeps the prefix and every random byte across pool refills, never repeating an id', () => {
    const newId = randomIdSource('bill_', 16, 4);
    const ids = Array.from({ length: 50 }, () => newId());
    for (const id of ids) expect(id).toMatch(/^bill_[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives two sources their own pools', () => {
    const requests = randomIdSource('req_', 12, 2);
    const records = randomIdSource('req_', 12, 2);
    const seen = new Set([requests(), records(), requests(), records(), requests()]);
    expect(seen.size).toBe(5);
  });
});
