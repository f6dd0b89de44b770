import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonlLedgerStore } from '../../../src/cost/jsonl-ledger-store.js';
import { Ledger } from '../../../src/cost/ledger.js';
import type { LedgerEntryInput } from '../../../src/cost/ledger-entry.js';
import type { LedgerStore } from '../../../src/cost/ledger-store.js';
import { MemoryLedgerStore } from '../../../src/cost/memory-ledger-store.js';
import { Money } from '../../../src/cost/money.js';
import { SqliteLedgerStore } from '../../../src/cost/sqlite-ledger-store.js';
import { makeUsage } from '../../../src/cost/usage.js';
import { AiaasError } from '../../../src/errors/index.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'aiaas-ledger-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

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

const stores: [string, () => Promise<LedgerStore>][] = [
  ['memory', async () => new MemoryLedgerStore()],
  ['jsonl', async () => new JsonlLedgerStore(join(directory, `contract-${Math.random()}.jsonl`))],
  ['sqlite', async () => SqliteLedgerStore.open(join(directory, `contract-${Math.random()}.db`))],
];

describe.each(stores)('Ledger over the %s store', (_, makeStore) => {
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
});

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
