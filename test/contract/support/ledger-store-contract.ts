import { describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/cost/ledger.js';
import type { LedgerEntryInput } from '../../../src/cost/ledger-entry.js';
import { Money } from '../../../src/cost/money.js';
import { makeUsage } from '../../../src/cost/usage.js';
import { AiaasError } from '../../../src/errors/index.js';
import type { LedgerStoreKind } from './store-kinds.js';

// Every ledger store keeps entries exactly as appended, in order, filters them the same way and
// totals them exactly.

const base: LedgerEntryInput = {
  model: 'gpt-4o',
  provider: 'openai',
  status: 'ok',
  cost: null,
};

function sampleEntries(): LedgerEntryInput[] {
  return [
    {
      ...base,
      id: 'e1',
      requestId: 'req_1',
      idempotencyKey: 'idem_1',
      attempt: 1,
      status: 'error',
      usage: makeUsage({ requests: 1 }),
      cost: Money.zero('USD'),
      tags: { team: 'search' },
      apiKeyId: 'key_a',
      time: new Date('2025-03-01T10:00:00Z'),
    },
    {
      ...base,
      id: 'e2',
      requestId: 'req_2',
      idempotencyKey: 'idem_1',
      attempt: 2,
      usage: makeUsage({ inputTokens: 120, cacheReadTokens: 1024, outputTokens: 40, requests: 1 }),
      cost: Money.of('0.00000015', 'USD'),
      tags: { team: 'search', env: 'prod' },
      apiKeyId: 'key_a',
      time: new Date('2025-03-01T10:00:01Z'),
    },
    {
      ...base,
      id: 'e3',
      model: 'ref-embed',
      provider: 'aiaas',
      requestId: 'req_3',
      usage: makeUsage({ bytesIn: 100, tensorElements: 6 }, 'estimated'),
      cost: Money.of('1.5', 'EUR'),
      tags: { team: 'ads' },
      time: new Date('2025-03-02T00:00:00Z'),
      status: 'aborted',
    },
    { ...base, id: 'e4', model: 'unpriced', time: new Date('2025-03-03T00:00:00Z') },
  ];
}

export function describeLedgerStoreContract(kind: LedgerStoreKind): void {
  const makeStore = kind.open;
  describe(`Ledger over ${kind.name}`, () => {
    it('keeps entries exactly as appended, in order', async () => {
      const ledger = new Ledger({ store: await makeStore() });
      const appended = [];
      for (const entry of sampleEntries()) appended.push(await ledger.append(entry));
      const read = await ledger.entries();
      expect(read).toEqual(appended);
      expect(read.map((entry) => entry.id)).toEqual(['e1', 'e2', 'e3', 'e4']);
      expect(read[1]?.cost?.equals(Money.of('0.00000015', 'USD'))).toBe(true);
      expect(read[2]?.usage.tensorElements).toEqual({ value: 6, provenance: 'estimated' });
      expect(read[3]?.cost).toBeNull();
      expect(read[0]?.apiKeyId).toBe('key_a');
      expect(read[2] && 'apiKeyId' in read[2]).toBe(false);
      await ledger.close();
    });

    it('filters by every field and totals per currency', async () => {
      const ledger = new Ledger({ store: await makeStore() });
      for (const entry of sampleEntries()) await ledger.append(entry);
      const ids = async (filter: Parameters<Ledger['entries']>[0]) =>
        (await ledger.entries(filter)).map((entry) => entry.id);
      expect(await ids({ model: 'ref-embed' })).toEqual(['e3']);
      expect(await ids({ provider: 'openai' })).toEqual(['e1', 'e2', 'e4']);
      expect(await ids({ status: 'error' })).toEqual(['e1']);
      expect(await ids({ apiKeyId: 'key_a' })).toEqual(['e1', 'e2']);
      expect(await ids({ requestId: 'req_3' })).toEqual(['e3']);
      expect(await ids({ idempotencyKey: 'idem_1' })).toEqual(['e1', 'e2']);
      expect(await ids({ tags: { team: 'search', env: 'prod' } })).toEqual(['e2']);
      expect(await ids({ currency: 'EUR' })).toEqual(['e3']);
      expect(
        await ids({ from: new Date('2025-03-01T10:00:01Z'), until: new Date('2025-03-03T00:00:00Z') }),
      ).toEqual(['e2', 'e3']);
      const totals = await ledger.total();
      expect(Object.keys(totals).sort()).toEqual(['EUR', 'USD']);
      expect(totals.USD?.toDecimalString()).toBe('0.00000015');
      expect(totals.EUR?.toDecimalString()).toBe('1.5');
      expect(await ledger.total({ tags: { team: 'nobody' } })).toEqual({});
      await ledger.close();
    });

    it('refuses a malformed entry before it reaches the store', async () => {
      const ledger = new Ledger({ store: await makeStore() });
      await expect(ledger.append({ ...base, model: '' })).rejects.toThrow(/model/);
      await expect(ledger.append({ ...base, attempt: 1.5 })).rejects.toThrow(/attempt/);
      await expect(ledger.append({ ...base, status: 'done' as never })).rejects.toThrow(/status/);
      await expect(ledger.append({ ...base, cost: 0.5 as never })).rejects.toThrow(/cost must be Money/);
      await expect(ledger.append({ ...base, time: new Date('nope') })).rejects.toThrow(AiaasError);
      expect(await ledger.entries()).toEqual([]);
      await ledger.close();
    });

    if (kind.refusesDuplicateIds) {
      it('refuses a duplicate id', async () => {
        const ledger = new Ledger({ store: await makeStore(), makeId: () => 'same' });
        await ledger.append(base);
        await expect(ledger.append(base)).rejects.toMatchObject({ code: 'duplicate_ledger_entry' });
        expect(await ledger.entries()).toHaveLength(1);
        await ledger.close();
      });
    } else {
      it('keeps an entry appended twice under one id (the file keeps no index of ids)', async () => {
        const ledger = new Ledger({ store: await makeStore(), makeId: () => 'same' });
        await ledger.append(base);
        await ledger.append(base);
        expect((await ledger.entries()).map((entry) => entry.id)).toEqual(['same', 'same']);
        await ledger.close();
      });
    }

    it('keeps every entry under 200 concurrent appends, and the total exact', async () => {
      const ledger = new Ledger({ store: await makeStore() });
      const cost = Money.of('0.000000150', 'USD');
      await Promise.all(
        Array.from({ length: 200 }, (_, index) => ledger.append({ ...base, id: `id-${index}`, cost })),
      );
      const read = await ledger.entries();
      expect(new Set(read.map((entry) => entry.id)).size).toBe(200);
      expect((await ledger.total()).USD?.toDecimalString()).toBe('0.00003');
      expect((await ledger.total({ provider: 'openai' })).USD?.toDecimalString()).toBe('0.00003');
      await ledger.close();
    });

    if (kind.openAgain !== undefined) {
      const openAgain = kind.openAgain;
      it('a second handle on the same store reads what the first appended, and appends beside it', async () => {
        const first = new Ledger({ store: await makeStore() });
        const entries = sampleEntries();
        await first.append(entries[0] as LedgerEntryInput);
        const second = new Ledger({ store: await openAgain() });
        await second.append(entries[1] as LedgerEntryInput);
        await first.append(entries[2] as LedgerEntryInput);
        for (const ledger of [first, second]) {
          expect((await ledger.entries()).map((entry) => entry.id)).toEqual(['e1', 'e2', 'e3']);
          expect((await ledger.total()).EUR?.toDecimalString()).toBe('1.5');
        }
        await first.close();
        await second.close();
      });
    }
  });
}
