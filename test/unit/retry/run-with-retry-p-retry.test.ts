import { describe, expect, it, vi } from 'vitest';
import { apiErrorFor } from '../../../src/errors/index.js';
import { runWithRetry } from '../../../src/retry/index.js';

const calls = vi.hoisted(() => ({ count: 0 }));
vi.mock('p-retry', async (importOriginal) => {
  const actual = await importOriginal<typeof import('p-retry')>();
  return {
    ...actual,
    default: (...parameters: Parameters<typeof actual.default>) => {
      calls.count += 1;
      return actual.default(...parameters);
    },
  };
});

describe('runWithRetry and p-retry', () => {
  it('a first attempt that succeeds never enters p-retry; a retry is run by p-retry', async () => {
    calls.count = 0;
    expect(await runWithRetry(async () => 'ok')).toBe('ok');
    expect(calls.count).toBe(0);
    const result = await runWithRetry(
      async ({ attempt }) => {
        if (attempt === 1) throw apiErrorFor('Service unavailable.', { status: 503 });
        return attempt;
      },
      { sleep: async () => {} },
    );
    expect(result).toBe(2);
    expect(calls.count).toBe(1);
  });
});
