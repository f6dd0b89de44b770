import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Money } from '../../../../src/cost/money.js';
import { tenantIdForKey } from '../../../../src/server/auth/tenant-id.js';
import { BillingLedger } from '../../../../src/server/billing/billing-ledger.js';
import { type BillingRecord, createBillingRecord } from '../../../../src/server/billing/billing-record.js';
import type { BilledUsage } from '../../../../src/wire/aiaas/billed-usage.js';
import { parseServerUsage, type ServerUsageRecord } from '../../../../src/wire/aiaas/server-usage-schemas.js';
import { useTemporaryDirectories } from '../../../support/temporary-directories.js';

const usage: BilledUsage = {
  inputTokens: 12,
  outputTokens: 8,
  computeMs: 31,
  bytesIn: 310,
  bytesOut: 922,
  tensorElements: 0,
  requests: 1,
  deployedSeconds: 0,
  trainedExamples: 0,
};

function billed(
  options: { tenant?: string; model?: string; amount?: string; currency?: string; time?: string } = {},
) {
  return createBillingRecord({
    requestId: `req_${Math.random().toString(36).slice(2)}`,
    tenant: options.tenant ?? 'key_a',
    model: options.model ?? 'ref-chat',
    idempotencyKey: 'idem-1',
    attempt: 1,
    status: 'ok',
    usage,
    cost: Money.of(options.amount ?? '0.000018', options.currency ?? 'USD'),
    time: new Date(options.time ?? '2025-06-01T12:00:00Z'),
  });
}

const ledgers: BillingLedger[] = [];
function ledgerOn(filePath?: string, warnings: string[] = []): BillingLedger {
  const ledger = new BillingLedger({
    ...(filePath === undefined ? {} : { filePath }),
    onWarning: (message) => warnings.push(message),
  });
  ledgers.push(ledger);
  return ledger;
}
afterEach(() => {
  for (const ledger of ledgers.splice(0)) ledger.close();
});

const temporaryDirectory = useTemporaryDirectories('aiaas-billing');
const billingFile = () => join(temporaryDirectory(), 'billing.jsonl');

describe('createBillingRecord', () => {
  it('builds exactly a /v1/usage record', () => {
    const record = billed();
    const typed: ServerUsageRecord = record; // the shapes agree at compile time too
    expect(parseServerUsage({ object: 'list', data: [typed], totals: {} }).data[0]).toEqual(record);
    expect(record).toMatchObject({
      tenant: 'key_a',
      idempotency_key: 'idem-1',
      time: '2025-06-01T12:00:00.000Z',
      usage: {
        input_tokens: 12,
        output_tokens: 8,
        compute_ms: 31,
        bytes_in: 310,
        bytes_out: 922,
        tensor_elements: 0,
        requests: 1,
      },
      cost: { amount: '0.000018', currency: 'USD' },
    });
    expect(record.id).toMatch(/^bill_[0-9a-f]{32}$/);
    expect(createBillingRecord({ ...billedInput(), idempotencyKey: undefined }).idempotency_key).toBeNull();
  });
});

function billedInput() {
  return {
    requestId: 'req_1',
    tenant: 'key_a',
    model: 'm',
    idempotencyKey: 'k' as string | undefined,
    attempt: 2,
    status: 'error' as const,
    usage,
    cost: Money.zero('USD'),
  };
}

describe('BillingLedger', () => {
  it('totals many records exactly', () => {
    const ledger = ledgerOn();
    for (let index = 0; index < 10_000; index++) ledger.record(billed({ amount: '0.1' }));
    for (let index = 0; index < 3; index++) ledger.record(billed({ amount: '0.000000000001' }));
    const body = ledger.usageResponse('key_a');
    expect(body.totals).toEqual({ USD: '1000.000000000003' });
    expect(body.data).toHaveLength(10_003);
    expect(parseServerUsage(body).totals.USD).toBe('1000.000000000003');
  });

  it('keeps totals per currency', () => {
    const ledger = ledgerOn();
    ledger.record(billed({ amount: '1.5', currency: 'USD' }));
    ledger.record(billed({ amount: '2.25', currency: 'EUR' }));
    ledger.record(billed({ amount: '0.75', currency: 'EUR' }));
    expect(ledger.usageResponse('key_a').totals).toEqual({ EUR: '3', USD: '1.5' });
  });

  it("never shows a tenant another tenant's records", () => {
    const ledger = ledgerOn();
    ledger.record(billed({ tenant: 'key_a', amount: '1' }));
    ledger.record(billed({ tenant: 'key_b', amount: '2' }));
    const mine = ledger.usageResponse('key_a');
    expect(mine.data.map((record) => record.tenant)).toEqual(['key_a']);
    expect(mine.totals).toEqual({ USD: '1' });
    expect(ledger.usageResponse('key_c')).toEqual({ object: 'list', data: [], totals: {} });
  });

  it("finds one request's record for its own tenant only, as a copy", () => {
    const ledger = ledgerOn();
    const mine = billed({ tenant: 'key_a', amount: '1' });
    ledger.record(mine);
    ledger.record(billed({ tenant: 'key_a', amount: '2' }));
    const found = ledger.recordOf('key_a', mine.request_id) as BillingRecord;
    expect(found).toEqual(mine);
    found.usage.output_tokens = 0;
    expect(ledger.recordOf('key_a', mine.request_id)?.usage.output_tokens).toBe(8);
    expect(ledger.recordOf('key_b', mine.request_id)).toBeUndefined();
    expect(ledger.recordOf('key_a', 'req_unknown')).toBeUndefined();
  });

  it('filters by since (inclusive), until (exclusive) and model', () => {
    const ledger = ledgerOn();
    ledger.record(billed({ time: '2025-01-01T00:00:00Z', model: 'ref-chat', amount: '1' }));
    ledger.record(billed({ time: '2025-02-01T00:00:00Z', model: 'ref-embed', amount: '2' }));
    ledger.record(billed({ time: '2025-03-01T00:00:00Z', model: 'ref-chat', amount: '4' }));
    const window = { since: new Date('2025-02-01T00:00:00Z'), until: new Date('2025-03-01T00:00:00Z') };
    expect(ledger.recordsFor('key_a', window).map((record) => record.cost.amount)).toEqual(['2']);
    expect(ledger.usageResponse('key_a', { model: 'ref-chat' }).totals).toEqual({ USD: '5' });
    expect(ledger.recordsFor('key_a', { since: new Date('2025-02-15T00:00:00Z') })).toHaveLength(1);
  });

  it('hands out copies, so a caller cannot edit a billed record', () => {
    const ledger = ledgerOn();
    ledger.record(billed({ amount: '1' }));
    const [record] = ledger.recordsFor('key_a') as [BillingRecord];
    record.cost.amount = '0';
    record.usage.input_tokens = 0;
    expect(ledger.recordsFor('key_a')[0]?.cost.amount).toBe('1');
    expect(ledger.recordsFor('key_a')[0]?.usage.input_tokens).toBe(12);
  });

  it('keeps records across a restart on the same file', () => {
    const path = billingFile();
    const first = ledgerOn(path);
    for (let index = 0; index < 250; index++)
      first.record(billed({ amount: '0.000123', tenant: index % 2 ? 'key_a' : 'key_b' }));
    const before = { a: first.usageResponse('key_a'), b: first.usageResponse('key_b') };
    first.close();
    const second = ledgerOn(path);
    expect(second.skippedLines).toBe(0);
    expect(second.usageResponse('key_a')).toEqual(before.a);
    expect(second.usageResponse('key_b')).toEqual(before.b);
    expect(before.a.totals).toEqual({ USD: '0.015375' });
    second.record(billed({ amount: '1', tenant: 'key_a' }));
    second.close();
    expect(ledgerOn(path).usageResponse('key_a').totals).toEqual({ USD: '1.015375' });
  });

  it('skips a torn last line with a warning, keeps every earlier line, and appends cleanly after it', () => {
    const path = billingFile();
    const first = ledgerOn(path);
    first.record(billed({ amount: '1' }));
    first.record(billed({ amount: '2' }));
    first.close();
    appendFileSync(path, JSON.stringify(billed({ amount: '4' })).slice(0, 40)); // a crash mid-write

    const warnings: string[] = [];
    const second = ledgerOn(path, warnings);
    expect(second.skippedLines).toBe(1);
    expect(warnings).toEqual([expect.stringMatching(/last line is incomplete.*skipped/)]);
    expect(second.usageResponse('key_a').totals).toEqual({ USD: '3' });
    second.record(billed({ amount: '8' }));
    second.close();

    const third = ledgerOn(path, []);
    expect(third.usageResponse('key_a').totals).toEqual({ USD: '11' });
    expect(third.skippedLines).toBe(1); // the fragment stays a line of its own
    expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
  });

  it('skips an invalid line in the middle without losing the lines around it', () => {
    const path = billingFile();
    writeFileSync(
      path,
      [
        JSON.stringify(billed({ amount: '1' })),
        '{"id":"bill_x","cost":{"amount":1}}',
        'garbage',
        '',
        JSON.stringify(billed({ amount: '2' })),
        '',
      ].join('\n'),
    );
    const warnings: string[] = [];
    const ledger = ledgerOn(path, warnings);
    expect(ledger.usageResponse('key_a').totals).toEqual({ USD: '3' });
    expect(warnings).toEqual([
      expect.stringMatching(/line 2 is not a billing record/),
      expect.stringMatching(/line 3 is not JSON/),
    ]);
  });

  it('writes with fsync on every record when asked', () => {
    const path = billingFile();
    const ledger = new BillingLedger({ filePath: path, fsync: 'every-record' });
    ledger.record(billed({ amount: '5' }));
    ledger.close();
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(() => ledger.record(billed())).toThrow(/billing file is closed/);
  });
});

describe('tenantIdForKey', () => {
  it('is key_ plus 16 hex digits of the SHA-256, stable, and never the key', () => {
    const id = tenantIdForKey('sk-test');
    expect(id).toMatch(/^key_[0-9a-f]{16}$/);
    expect(id).toBe(tenantIdForKey('sk-test'));
    expect(id).toBe('key_f3abf2a6cc4f0098'); // sha256('sk-test') begins f3abf2a6cc4f0098
    expect(tenantIdForKey('sk-test2')).not.toBe(id);
    expect(id).not.toContain('sk-test');
  });
});
