import { describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/cost/ledger.js';
import type { LedgerEntryInput } from '../../../src/cost/ledger-entry.js';
import { Money } from '../../../src/cost/money.js';
import { reconcile } from '../../../src/cost/reconcile.js';
import { emptyUsage, makeUsage } from '../../../src/cost/usage.js';
import { normalizeAiaasUsage } from '../../../src/cost/usage-normalizers.js';
import { ValidationError } from '../../../src/errors/index.js';
import {
  parseServerUsage,
  type ServerUsageRecord,
  serverUsageListSchema,
} from '../../../src/wire/aiaas/server-usage-schemas.js';

const usd = (amount: string) => Money.of(amount, 'USD');

function record(
  overrides: Partial<ServerUsageRecord> & Pick<ServerUsageRecord, 'request_id'>,
): ServerUsageRecord {
  return {
    id: `bill_${overrides.request_id}`,
    tenant: 'key_1',
    model: 'ref-chat',
    idempotency_key: null,
    attempt: 1,
    status: 'ok',
    time: '2025-03-01T10:00:00.000Z',
    usage: {
      input_tokens: 12,
      output_tokens: 8,
      compute_ms: 30,
      bytes_in: 300,
      bytes_out: 900,
      tensor_elements: 0,
      requests: 1,
    },
    cost: { amount: '0.000018', currency: 'USD' },
    ...overrides,
  };
}

const billed = makeUsage({
  inputTokens: 12,
  outputTokens: 8,
  computeMs: 30,
  bytesIn: 300,
  bytesOut: 900,
  requests: 1,
});
const entry = (overrides: Partial<LedgerEntryInput>): LedgerEntryInput => ({
  model: 'ref-chat',
  provider: 'aiaas',
  status: 'ok',
  usage: billed,
  cost: usd('0.000018'),
  ...overrides,
});

async function scenario() {
  const ledger = new Ledger();
  // A: a 429 on attempt 1 (nothing used), success on attempt 2.
  await ledger.append(
    entry({
      idempotencyKey: 'idem_A',
      attempt: 1,
      requestId: 'req_A1',
      status: 'error',
      usage: emptyUsage(),
      cost: usd('0'),
    }),
  );
  await ledger.append(entry({ idempotencyKey: 'idem_A', attempt: 2, requestId: 'req_A2' }));
  // B: a stream resumed with Last-Event-ID; the client logged each attempt's share.
  await ledger.append(
    entry({
      idempotencyKey: 'idem_B',
      attempt: 1,
      requestId: 'req_B1',
      status: 'aborted',
      usage: makeUsage({
        inputTokens: 12,
        outputTokens: 3,
        computeMs: 30,
        bytesIn: 300,
        bytesOut: 400,
        requests: 1,
      }),
      cost: usd('0.000009'),
    }),
  );
  await ledger.append(
    entry({
      idempotencyKey: 'idem_B',
      attempt: 2,
      requestId: 'req_B1',
      usage: makeUsage({ outputTokens: 5, bytesOut: 500 }),
      cost: usd('0.000009'),
    }),
  );
  // F: the ledger only knows the request id.
  await ledger.append(entry({ requestId: 'req_F' }));
  return ledger;
}

const matchingRecords = [
  record({ request_id: 'req_A2', idempotency_key: 'idem_A', attempt: 2 }),
  record({ request_id: 'req_B1', idempotency_key: 'idem_B', status: 'ok' }),
  record({ request_id: 'req_F', idempotency_key: 'idem_F' }),
];

describe('reconcile', () => {
  it('shows zero difference after retries, a resumed stream and a request-id-only entry', async () => {
    const result = reconcile(await (await scenario()).entries(), matchingRecords);
    expect(result.zeroDifference).toBe(true);
    expect(result.counts).toEqual({
      matched: 3,
      different: 0,
      'missing-in-provider': 0,
      'missing-in-ledger': 0,
    });
    const groupA = result.groups.find((group) => group.key === 'idem_A');
    expect(groupA?.ledgerEntries).toHaveLength(2);
    expect(groupA?.requestIds.sort()).toEqual(['req_A1', 'req_A2']);
    expect(result.groups.find((group) => group.requestIds.includes('req_F'))?.idempotencyKey).toBe('idem_F');
    expect(result.totals.ledger.USD?.equals(usd('0.000054'))).toBe(true);
    expect(result.totals.provider.USD?.equals(usd('0.000054'))).toBe(true);
    expect(result.totals.difference).toEqual({});
  });

  it('reports missing and different calls with exact differences', async () => {
    const ledger = await scenario();
    await ledger.append(entry({ idempotencyKey: 'idem_C', requestId: 'req_C' }));
    await ledger.append(
      entry({
        idempotencyKey: 'idem_E',
        requestId: 'req_E',
        usage: makeUsage({
          inputTokens: 12,
          outputTokens: 7,
          computeMs: 30,
          bytesIn: 300,
          bytesOut: 900,
          requests: 1,
        }),
      }),
    );
    const records = [
      ...matchingRecords,
      record({ request_id: 'req_D', idempotency_key: 'idem_D', cost: { amount: '0.5', currency: 'USD' } }),
      record({
        request_id: 'req_E',
        idempotency_key: 'idem_E',
        cost: { amount: '0.000018000001', currency: 'USD' },
      }),
    ];
    const result = reconcile(await ledger.entries(), { object: 'list', data: records, totals: {} });
    expect(result.zeroDifference).toBe(false);
    expect(result.counts).toEqual({
      matched: 3,
      different: 1,
      'missing-in-provider': 1,
      'missing-in-ledger': 1,
    });
    const byKey = Object.fromEntries(result.groups.map((group) => [group.key, group]));
    expect(byKey.idem_C?.status).toBe('missing-in-provider');
    expect(byKey.idem_C?.cost.differences.USD?.toDecimalString()).toBe('0.000018');
    expect(byKey.idem_D?.status).toBe('missing-in-ledger');
    expect(byKey.idem_D?.usage.differences).toEqual({
      inputTokens: -12,
      outputTokens: -8,
      computeMs: -30,
      bytesIn: -300,
      bytesOut: -900,
      requests: -1,
    });
    expect(byKey.idem_E?.status).toBe('different');
    expect(byKey.idem_E?.usage.differences).toEqual({ outputTokens: -1 });
    expect(byKey.idem_E?.cost.differences.USD?.units).toBe(-1n);
    expect(result.totals.difference.USD?.toDecimalString()).toBe('-0.499982000001');
  });

  it('compares only the fields asked for, and counts unpriced entries', async () => {
    const ledger = new Ledger();
    await ledger.append(
      entry({
        requestId: 'req_X',
        usage: makeUsage({ inputTokens: 12, outputTokens: 8, requests: 1 }),
        cost: null,
      }),
    );
    const records = [record({ request_id: 'req_X', cost: { amount: '0', currency: 'USD' } })];
    const narrow = reconcile(await ledger.entries(), records, {
      fields: ['inputTokens', 'outputTokens', 'requests'],
    });
    expect(narrow.zeroDifference).toBe(true);
    expect(narrow.groups[0]?.unpricedLedgerEntries).toBe(1);
    expect(reconcile(await ledger.entries(), records).groups[0]?.usage.differences).toEqual({
      computeMs: -30,
      bytesIn: -300,
      bytesOut: -900,
    });
  });

  it('matches a ledger built from the server records own usage exactly', async () => {
    const ledger = new Ledger();
    for (const item of matchingRecords) {
      await ledger.append({
        model: item.model,
        provider: 'aiaas',
        requestId: item.request_id,
        idempotencyKey: item.idempotency_key,
        attempt: item.attempt,
        status: item.status,
        usage: normalizeAiaasUsage(item.usage, { provenance: 'recovered' }),
        cost: Money.of(item.cost.amount, item.cost.currency),
      });
    }
    expect(reconcile(await ledger.entries(), matchingRecords).zeroDifference).toBe(true);
  });
});

describe('server usage schema', () => {
  const body = { object: 'list', data: matchingRecords, totals: { USD: '0.000054' } };

  it('accepts the server shape and rejects money as a number', () => {
    expect(serverUsageListSchema.safeParse(body).success).toBe(true);
    expect(parseServerUsage(body).data).toHaveLength(3);
    const bad = { ...body, data: [{ ...matchingRecords[0], cost: { amount: 0.000018, currency: 'USD' } }] };
    try {
      parseServerUsage(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).path).toBe('data.0.cost.amount');
    }
    expect(() => reconcile([], [{ ...matchingRecords[0], time: 'yesterday' } as ServerUsageRecord])).toThrow(
      ValidationError,
    );
  });
});
