import { describe, expect, it } from 'vitest';
import { hashedBagOfWords, sentimentWords } from '../../../../src/server/models/sentiment-features.js';

describe('hashedBagOfWords', () => {
  it('puts a word in the bucket its FNV-1a hash picks', () => {
    // 0xbf9cf968 is the published 32-bit FNV-1a of "foobar"; 3214735720 % 100 = 20.
    const features = hashedBagOfWords('foobar');
    expect(features[20]).toBe(1);
    expect(features.reduce((sum, value) => sum + value, 0)).toBe(1);
  });

  it('is a unit vector of counts, case-insensitive and blind to function words', () => {
    const features = hashedBagOfWords('Great food, GREAT staff and the great view.', 100);
    expect(features).toHaveLength(100);
    expect(Math.hypot(...features)).toBeCloseTo(1, 6);
    expect([...features]).toEqual([...hashedBagOfWords('great food great staff great view')]);
    expect([...hashedBagOfWords('the and of was')]).toEqual(new Array(100).fill(0));
    const largest = Math.max(...features);
    expect(largest).toBeGreaterThan(0.7);
  });

  it('keeps negations and apostrophes', () => {
    expect(sentimentWords("It isn't good, not at all")).toEqual(['it', "isn't", 'good', 'not', 'at', 'all']);
    expect([...hashedBagOfWords('not good')]).not.toEqual([...hashedBagOfWords('good')]);
  });

  it('supports other sizes and rejects invalid ones', () => {
    expect(hashedBagOfWords('hello world', 16)).toHaveLength(16);
    expect(() => hashedBagOfWords('hello', 0)).toThrow(RangeError);
  });
});
