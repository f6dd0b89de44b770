import { describe, expect, it } from 'vitest';
import { parseUsageQuery, UsageQueryError } from '../../../../src/server/billing/usage-filter.js';

describe('parseUsageQuery', () => {
  it('reads ISO instants, Unix seconds and a model', () => {
    expect(parseUsageQuery(new URLSearchParams('since=2025-01-01&until=1735776000&model=ref-chat'))).toEqual({
      since: new Date('2025-01-01T00:00:00Z'),
      until: new Date('2025-01-02T00:00:00Z'),
      model: 'ref-chat',
    });
    expect(parseUsageQuery(new URLSearchParams('since=2025-01-01T12:30:00%2B02:00'))).toEqual({
      since: new Date('2025-01-01T10:30:00Z'),
    });
    expect(parseUsageQuery(new URLSearchParams('since=&model='))).toEqual({});
  });

  it.each([
    ['since=yesterday', 'since'],
    ['until=2025-13-45', 'until'],
    ['since=Jan%201%202025', 'since'],
  ])('rejects %s naming the parameter', (query, param) => {
    let caught: unknown;
    try {
      parseUsageQuery(new URLSearchParams(query));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageQueryError);
    expect((caught as UsageQueryError).param).toBe(param);
    expect((caught as Error).message).toMatch(new RegExp(`Invalid ${param}`));
  });
});
