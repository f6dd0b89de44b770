import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/cost/ledger.js';
import { Money } from '../../src/cost/money.js';
import { RECONCILE_FIELDS } from '../../src/cost/reconcile.js';
import { makeUsage } from '../../src/cost/usage.js';
import { BillingMismatchError, expectBilled } from '../../src/testing/expect-billed.js';
import type { ServerUsageList, ServerUsageRecord } from '../../src/wire/aiaas/server-usage-schemas.js';
import { type DialectTestServer, sendJson, startDialectTestServer } from '../support/dialect-test-server.js';

// expectBilled against a local server answering GET /v1/usage with payloads in the reference
// server's documented shape (src/cost/server-usage-schema.ts), so every mismatch can be staged.

let server: DialectTestServer;
const apiKey = 'sk-billing-test';

beforeAll(async () => {
  server = await startDialectTestServer();
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
});

const counts = { input_tokens: 12, output_tokens: 8, compute_ms: 30, bytes_in: 300, bytes_out: 900 };

function record(
  requestId: string,
  idempotencyKey: string,
  attempt: number,
  amount: string,
): ServerUsageRecord {
  return {
    id: `bill_${requestId}`,
    request_id: requestId,
    tenant: 'key_test',
    model: 'ref-chat',
    idempotency_key: idempotencyKey,
    attempt,
    status: 'ok',
    time: '2025-03-01T10:00:00.000Z',
    usage: { ...counts, tensor_elements: 0, requests: 1 },
    cost: { amount, currency: 'USD' },
  };
}

function usageList(records: ServerUsageRecord[]): ServerUsageList {
  const total = records.reduce((sum, each) => sum.plus(Money.of(each.cost.amount, 'USD')), Money.zero('USD'));
  return { object: 'list', data: records, totals: { USD: total.toDecimalString() } };
}

function serveUsage(...answers: ServerUsageRecord[][]): void {
  let served = 0;
  server.route('GET', '/v1/usage', (_request, response) => {
    const records = answers[Math.min(served, answers.length - 1)] ?? [];
    served += 1;
    sendJson(response, 200, usageList(records));
  });
}

interface LedgerCall {
  requestId: string;
  key: string;
  outputTokens?: number;
  computeMs?: number;
  amount: string | null;
}

async function ledgerOf(calls: LedgerCall[]) {
  const ledger = new Ledger();
  for (const call of calls) {
    await ledger.append({
      requestId: call.requestId,
      idempotencyKey: call.key,
      model: 'ref-chat',
      provider: 'openai',
      status: 'ok',
      usage: makeUsage({
        inputTokens: counts.input_tokens,
        outputTokens: call.outputTokens ?? counts.output_tokens,
        computeMs: call.computeMs ?? counts.compute_ms,
        bytesIn: counts.bytes_in,
        bytesOut: counts.bytes_out,
        requests: 1,
      }),
      cost: call.amount === null ? null : Money.of(call.amount, 'USD'),
    });
  }
  return ledger;
}

describe('expectBilled', () => {
  it("resolves with the reconciliation when the server's bill matches, reading it with the key", async () => {
    serveUsage([record('req_1', 'idem_a', 1, '0.000018'), record('req_2', 'idem_b', 1, '0.000020')]);
    const ledger = await ledgerOf([
      { requestId: 'req_1', key: 'idem_a', amount: '0.000018' },
      { requestId: 'req_2', key: 'idem_b', amount: '0.000020' },
    ]);
    const result = await expectBilled(ledger, { url: `${server.url}/v1`, apiKey });
    expect(result.counts.matched).toBe(2);
    expect(result.totals.provider.USD?.toDecimalString()).toBe('0.000038');
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/usage' });
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${apiKey}`);
  });

  it('throws a BillingMismatchError that lists each differing call and field', async () => {
    serveUsage([record('req_1', 'idem_a', 1, '0.000019'), record('req_9', 'idem_z', 1, '0.000005')]);
    const ledger = await ledgerOf([
      { requestId: 'req_1', key: 'idem_a', outputTokens: 7, amount: '0.000018' },
    ]);
    const error = await expectBilled(ledger, { url: server.url, apiKey }, { settleMs: 0 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(BillingMismatchError);
    const mismatch = error as BillingMismatchError;
    expect(mismatch.message).toBe(
      [
        "The ledger and the server's bill differ in 2 of 2 calls:",
        '- call idem_a (request req_1): billed differently',
        '    outputTokens: ledger 7, server 8 (-1)',
        '    cost: ledger 0.000018 USD, server 0.000019 USD',
        '- call idem_z (request req_9): billed by the server, not in the ledger',
        '    inputTokens: ledger 0, server 12 (-12)',
        '    outputTokens: ledger 0, server 8 (-8)',
        '    requests: ledger 0, server 1 (-1)',
        '    cost: ledger nothing, server 0.000005 USD',
        'Totals: ledger 0.000018 USD, server 0.000024 USD, difference -0.000006 USD',
      ].join('\n'),
    );
    expect(mismatch.result.counts).toMatchObject({ different: 1, 'missing-in-ledger': 1 });
  });

  it("compares the server's own measures (compute time, bytes) only when asked", async () => {
    serveUsage([record('req_1', 'idem_a', 1, '0.000018')]);
    const ledger = await ledgerOf([{ requestId: 'req_1', key: 'idem_a', amount: '0.000018', computeMs: 0 }]);
    const result = await expectBilled(ledger, { url: server.url, apiKey });
    expect(result.counts.matched).toBe(1);
    const error = await expectBilled(
      ledger,
      { url: server.url, apiKey },
      { fields: RECONCILE_FIELDS, settleMs: 0 },
    ).catch((caught: unknown) => caught);
    expect((error as Error).message).toContain('    computeMs: ledger 0, server 30 (-30)');
  });

  it('compares usage only with `cost: false`, for a client without pricing', async () => {
    serveUsage([record('req_1', 'idem_a', 1, '0.000018')]);
    const unpriced = await ledgerOf([{ requestId: 'req_1', key: 'idem_a', amount: null }]);
    await expect(expectBilled(unpriced, { url: server.url, apiKey }, { settleMs: 0 })).rejects.toThrow(
      /no price: is the client's `pricing` set\?/,
    );
    const result = await expectBilled(unpriced, { url: server.url, apiKey }, { cost: false, settleMs: 0 });
    expect(result.groups[0]!.status).toBe('different');
  });

  it('waits for a record the server settles a moment late', async () => {
    serveUsage([], [], [record('req_1', 'idem_a', 1, '0.000018')]);
    const ledger = await ledgerOf([{ requestId: 'req_1', key: 'idem_a', amount: '0.000018' }]);
    const result = await expectBilled(ledger, { url: server.url, apiKey }, { settleMs: 2_000 });
    expect(result.counts.matched).toBe(1);
    expect(server.requests.length).toBe(3);
  });

  it('says plainly when the server has no usage endpoint', async () => {
    server.route('GET', '/v1/usage', (_request, response) =>
      sendJson(response, 404, { error: { message: 'There is no endpoint GET /v1/usage.' } }),
    );
    await expect(expectBilled([], { url: server.url, apiKey })).rejects.toThrow(
      /GET http:\/\/127\.0\.0\.1:\d+\/v1\/usage answered 404: .*is this an aiaas reference server/,
    );
  });
});
