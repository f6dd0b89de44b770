import { describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/cost/ledger.js';
import type { LedgerEntryInput } from '../../../src/cost/ledger-entry.js';

// How every ledger store keeps, filters and totals entries: test/contract/support/ledger-store-contract.ts.

const base: LedgerEntryInput = { model: 'gpt-4o', provider: 'openai', status: 'ok', cost: null };

describe('Ledger defaults', () => {
  it('fills id, time, attempt, usage and nulls', async () => {
    const ledger = new Ledger({ makeId: () => 'fixed', now: () => new Date('2025-01-01T00:00:00Z') });
    const entry = await ledger.append(base);
    expect(entry).toMatchObject({ id: 'fixed', attempt: 1, requestId: null, idempotencyKey: null, tags: {} });
    expect(entry.time.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(entry.usage.inputTokens.value).toBe(0);
    await expect(ledger.append(base)).rejects.toThrow(/already appended/);
  });
});
