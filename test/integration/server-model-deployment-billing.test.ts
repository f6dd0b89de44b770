import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AiaasClient,
  Money,
  PriceCatalog,
  reconcile,
  recoverUsage,
  ServerBillingSource,
  tensor,
} from '../../src/index.js';
import { defaultRateCardJson } from '../../src/server/billing/default-rate-card.js';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.js';
import { parseServerUsage, type ServerUsageRecord } from '../../src/wire/aiaas/server-usage-schemas.js';
import { affineConfig, loadModel, unloadModel } from './deployment-test-client.js';
import { affineModel } from './server-test-models.js';

const key = 'sk-pay-per-model';
let server: ReferenceServer;
let client: AiaasClient;

beforeAll(async () => {
  server = await startReferenceServer({
    port: 0,
    apiKeys: [key],
    rateCard: {
      currency: defaultRateCardJson.currency,
      effective_from: defaultRateCardJson.effective_from,
      // No default_model: a model the card does not name cannot be deployed.
      models: {
        ...defaultRateCardJson.models,
        // Pay per model: an hourly rate while READY and a fee per request, beside per-volume prices.
        'metered-affine': { per_hour_deployed: '3.60', per_request: '0.001', per_1k_tensor_elements: '0.02' },
      },
    },
  });
  client = new AiaasClient({
    baseURL: server.url,
    apiKey: key,
    provider: 'oip',
    pricing: 'server',
    logLevel: 'off',
  });
});
afterAll(async () => {
  await server.close();
});

async function usageRecords(): Promise<ServerUsageRecord[]> {
  const response = await fetch(`${server.url}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
  return parseServerUsage(await response.json()).data;
}

const deploymentRecords = (records: ServerUsageRecord[]) =>
  records.filter((record) => (record.usage.deployed_seconds ?? 0) > 0);

describe('pay per model: hours deployed and a fee per request', () => {
  it('refuses to deploy a model the rate card does not price', async () => {
    const answer = await loadModel(server.url, key, 'unpriced', { files: { 1: affineModel(1, 1) } });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/the rate card prices no such model/);
  });

  it('bills READY time by the second and each request its fee, exactly, reconciled with the client ledger', async () => {
    const started = Date.now();
    const load = await loadModel(server.url, key, 'metered-affine', {
      config: affineConfig,
      files: { 1: affineModel(2, 1) },
    });
    expect(load.status).toBe(200);
    for (let call = 0; call < 3; call++) {
      await client.inference.infer('metered-affine', [tensor('x', new Float32Array([1, 2, 3]), [1, 3])]);
    }
    // Whole seconds are billed whenever usage is read: poll until the first one shows.
    await vi.waitFor(async () => expect(deploymentRecords(await usageRecords()).length).toBeGreaterThan(0), {
      timeout: 10_000,
      interval: 200,
    });
    expect((await unloadModel(server.url, key, 'metered-affine')).status).toBe(200);
    const elapsedSeconds = (Date.now() - started) / 1000;
    const records = await usageRecords();
    const deployed = deploymentRecords(records);
    // The accrued whole second(s), then the rest at unload, a started second counted whole.
    expect(deployed.length).toBeGreaterThanOrEqual(2);
    const seconds = deployed.reduce((sum, record) => sum + record.usage.deployed_seconds!, 0);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(Math.ceil(elapsedSeconds));
    for (const record of deployed) {
      // 3.60 per hour is 0.001 per second, with nothing else on the record.
      expect(record).toMatchObject({
        model: 'metered-affine',
        status: 'ok',
        request_id: load.headers.get('x-request-id'),
      });
      expect(record.usage).toMatchObject({ requests: 0, tensor_elements: 0, compute_ms: 0 });
      expect(
        Money.of(record.cost.amount, 'USD').equals(
          Money.of('0.001', 'USD').times(BigInt(record.usage.deployed_seconds!)),
        ),
      ).toBe(true);
    }
    // Each inference: the fee plus 3 elements at 0.02 per 1,000, exactly as the client quoted and recorded.
    const inferences = records.filter(
      (record) => record.model === 'metered-affine' && record.usage.requests === 1,
    );
    expect(inferences.map((record) => record.cost.amount)).toEqual(['0.00106', '0.00106', '0.00106']);
    const before = reconcile(await client.ledger.entries(), records);
    const inferenceGroups = before.groups.filter((group) => group.ledgerEntries.length > 0);
    expect(inferenceGroups.map((group) => group.status)).toEqual(['matched', 'matched', 'matched']);
    // Deployment time is the server's to measure: no call's ledger entry has it...
    const deploymentGroup = before.groups.find((group) => group.usage.provider.deployedSeconds > 0);
    expect(deploymentGroup?.status).toBe('missing-in-ledger');
    expect(deploymentGroup?.usage.provider.deployedSeconds).toBe(seconds);
    const hoursCost = Money.of('0.001', 'USD').times(BigInt(seconds));
    expect(before.totals.difference.USD?.equals(hoursCost.negate())).toBe(true);

    // ...so recovery brings it from the server's records, at any age, each record once.
    const provider = new ServerBillingSource({ baseURL: server.url, apiKey: key });
    const recovery = await recoverUsage({ ledger: client.ledger, provider });
    expect(recovery.recovered.map((entry) => entry.usage.deployedSeconds.value)).toEqual(
      deployed.map((record) => record.usage.deployed_seconds),
    );
    expect(recovery.totals.recovered.USD?.equals(hoursCost)).toBe(true);
    expect((await recoverUsage({ ledger: client.ledger, provider })).recovered).toEqual([]);
    const after = reconcile(await client.ledger.entries(), await usageRecords());
    expect(after.zeroDifference).toBe(true);
    expect(after.groups.every((group) => group.status === 'matched')).toBe(true);
    // The SDK's catalog prices the recovered seconds exactly as the server billed them.
    const catalog = PriceCatalog.fromServerPricing(
      await (await fetch(`${server.url}/v1/pricing`, { headers: { authorization: `Bearer ${key}` } })).json(),
    );
    for (const entry of recovery.recovered) {
      expect(catalog.cost('metered-affine', entry.usage).total.equals(entry.cost!)).toBe(true);
    }
  });
});
