import { describe, expect, it } from 'vitest';
import { matchesMetadata, metadataFilter } from '../../../../src/server/fine-tuning/metadata-filter.js';
import { HttpError } from '../../../../src/server/http/http-error.js';

const filterOf = (query: string) => metadataFilter(new URLSearchParams(query));

describe('metadataFilter', () => {
  it('reads metadata[key]=value pairs, metadata=null and metadata= (none), and no filter', () => {
    expect(filterOf('metadata[team]=ml&limit=2&metadata[a%20b]=c%26d')).toEqual([
      ['team', 'ml'],
      ['a b', 'c&d'],
    ]);
    expect(filterOf('metadata=null')).toBeNull();
    expect(filterOf('metadata=')).toBeNull();
    expect(filterOf('after=ftjob-1&limit=3')).toBeUndefined();
  });

  it('refuses another metadata value, and null with pairs, as a 400 naming metadata', () => {
    for (const query of ['metadata=ml', 'metadata=null&metadata[team]=ml']) {
      const error = (() => {
        try {
          filterOf(query);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(HttpError);
      expect(error).toMatchObject({ status: 400, param: 'metadata' });
    }
  });
});

describe('matchesMetadata', () => {
  const job = { team: 'ml', stage: 'dev' };
  it('passes a job carrying every pair, and every job without a filter', () => {
    expect(matchesMetadata(job, [['team', 'ml']])).toBe(true);
    expect(
      matchesMetadata(job, [
        ['team', 'ml'],
        ['stage', 'dev'],
      ]),
    ).toBe(true);
    expect(
      matchesMetadata(job, [
        ['team', 'ml'],
        ['stage', 'prod'],
      ]),
    ).toBe(false);
    expect(
      matchesMetadata(job, [
        ['stage', 'dev'],
        ['stage', 'prod'],
      ]),
    ).toBe(false);
    expect(matchesMetadata(null, [['team', 'ml']])).toBe(false);
    expect(matchesMetadata({}, [['toString', 'x']])).toBe(false);
    expect(matchesMetadata(job, undefined)).toBe(true);
  });

  it('passes only jobs without metadata for null', () => {
    expect(matchesMetadata(null, null)).toBe(true);
    expect(matchesMetadata({}, null)).toBe(true);
    expect(matchesMetadata(job, null)).toBe(false);
  });
});
