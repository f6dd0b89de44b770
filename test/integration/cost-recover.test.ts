import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CliIo } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/cli-runner.js';
import { Budget } from '../../src/cost/budget.js';
import { JsonlLedgerStore } from '../../src/cost/jsonl-ledger-store.js';
import { Ledger } from '../../src/cost/ledger.js';
import { Money } from '../../src/cost/money.js';
import { ServerBillingSource } from '../../src/cost/server-billing-source.js';
import { SqliteBudgetStore } from '../../src/cost/sqlite-budget-store.js';
import { AiaasError, AuthenticationError, ConnectionError } from '../../src/errors/index.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';

const apiKey = 'sk-recover-secret-0123456789';
let server: ReferenceServer;
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'aiaas-recover-'));
  server = await startReferenceServer({ port: 0, seed: 42, apiKeys: [apiKey], logger: silentServerLogger });
});
afterAll(async () => {
  await server?.close();
  await rm(directory, { recursive: true, force: true });
});

/** One chat call the server bills, sent as a process would send it (one idempotency key per call). */
async function billedCall(idempotencyKey: string, model = 'ref-chat'): Promise<string> {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${apiKey}`,
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
    },
    body: JSON.stringify({
      model,
      messages: [{ role: 'user', content: 'The economy' }],
      max_tokens: 6,
      seed: 1,
    }),
  });
  expect(response.status).toBe(200);
  await response.json();
  return response.headers.get('x-request-id') as string;
}

async function serverTotal(): Promise<Money> {
  const records = await new ServerBillingSource({ baseURL: server.url, apiKey }).records();
  return Money.sum(
    'USD',
    records.map((record) => record.cost),
  );
}

function bufferIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (line) => out.push(line), stderr: (line) => err.push(line) };
}

describe('ServerBillingSource', () => {
  it('reads the records of GET /v1/usage as billed, with its filters, from a bare origin or /v1', async () => {
    const before = new Date(Date.now() - 1);
    const requestId = await billedCall('source-1');
    const source = new ServerBillingSource({ baseURL: server.url, apiKey });
    const records = await source.records({ since: before });
    const record = records.find((candidate) => candidate.requestId === requestId);
    expect(record).toMatchObject({ idempotencyKey: 'source-1', attempt: 1, model: 'ref-chat', status: 'ok' });
    expect(record?.usage.requests).toEqual({ value: 1, provenance: 'recovered' });
    expect(record?.usage.outputTokens.value).toBeGreaterThan(0);
    expect(record?.cost.isPositive()).toBe(true);
    const viaApiRoot = new ServerBillingSource({ baseURL: `${server.url}/v1/`, apiKey });
    expect((await viaApiRoot.records({ since: before })).map((each) => each.id)).toEqual(
      records.map((each) => each.id),
    );
    expect(await source.records({ since: before, model: 'ref-embed' })).toEqual([]);
    expect(await source.records({ until: new Date(0) })).toEqual([]);
  });

  it('never puts the API key in an error: a refused key, an unreachable server', async () => {
    const wrongKey = 'sk-wrong-key-9876543210';
    const refused = await new ServerBillingSource({ baseURL: server.url, apiKey: wrongKey })
      .records()
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AuthenticationError);
    expect(JSON.stringify({ ...(refused as object), message: (refused as Error).message })).not.toContain(
      wrongKey,
    );
    const unreachable = await new ServerBillingSource({ baseURL: 'http://127.0.0.1:1', apiKey })
      .records()
      .catch((error: unknown) => error);
    expect(unreachable).toBeInstanceOf(ConnectionError);
    expect(AiaasError.isInstance(unreachable)).toBe(true);
    expect(String((unreachable as Error).message)).not.toContain(apiKey);
    expect((unreachable as Error).message).toMatch(/GET http:\/\/127\.0\.0\.1:1\/v1\/usage/);
  });
});

describe('aiaas cost recover', () => {
  it('recovers a dead process’s billed calls into the ledger and settles its lapsed reservations', async () => {
    const ledgerPath = join(directory, 'spend.jsonl');
    const budgetPath = join(directory, 'budget.db');
    // A process reserved three calls, sent them (the server billed them), and died.
    const dead = new Budget({
      limits: [{ limit: Money.of('1', 'USD') }],
      store: await SqliteBudgetStore.open(budgetPath),
      // Long enough that the three calls and the first recovery run inside it on a loaded machine.
      leaseMs: 5_000,
    });
    const keys = ['cli-a', 'cli-b', 'cli-c'];
    const since = new Date(Date.now() - 1).toISOString();
    for (const key of keys) {
      await dead.reserve(Money.of('0.2', 'USD'), ['tag:team=cli'], {
        idempotencyKey: key,
        model: 'ref-chat',
        provider: 'openai',
      });
      await billedCall(key);
    }
    await dead.close();

    // While the leases hold, recovery leaves those calls alone: they may still be in flight.
    const early = bufferIo();
    const cli = ['cost', 'recover', '--ledger', ledgerPath, '--budget', budgetPath, '--since', since];
    cli.push('--base-url', server.url, '--api-key', apiKey);
    expect(await runCli([...cli, '--format', 'json'], early), early.err.join('\n')).toBe(0);
    const earlyResult = JSON.parse(early.out.join('\n'));
    expect(
      earlyResult.skipped.filter((skipped: { reason: string }) => skipped.reason === 'in-flight'),
    ).toHaveLength(3);
    expect(earlyResult.recovered).toEqual([]);

    // Once they lapsed, it recovers them: the ledger then holds exactly what the server billed for them.
    const store = await SqliteBudgetStore.open(budgetPath);
    const budget = new Budget({ limits: [], store });
    await vi.waitFor(
      async () => {
        const charges = await store.charges({ idempotencyKeys: keys });
        expect(charges.every((charge) => charge.expiresAt.getTime() <= Date.now())).toBe(true);
      },
      { timeout: 20_000, interval: 50 },
    );
    const io = bufferIo();
    expect(await runCli(cli, io), io.err.join('\n')).toBe(0);
    expect(io.out[0]).toMatch(/^recovered 3 billing record\(s\): 0\.\d+ USD$/);
    expect(io.out.join('\n')).toMatch(/settled 3 reservation\(s\) at what was billed/);
    expect(io.out.join('\n')).not.toContain(apiKey);
    const ledger = new Ledger({ store: new JsonlLedgerStore(ledgerPath) });
    const recovered = await ledger.entries({ tags: { team: 'cli' } });
    expect(recovered.map((entry) => entry.idempotencyKey).sort()).toEqual(keys);
    const billed = (await new ServerBillingSource({ baseURL: server.url, apiKey }).records()).filter(
      (record) => keys.includes(record.idempotencyKey ?? ''),
    );
    expect(
      (await ledger.total()).USD?.equals(
        Money.sum(
          'USD',
          billed.map((record) => record.cost),
        ),
      ),
    ).toBe(true);
    const settled = await store.charges({ idempotencyKeys: keys });
    expect(settled.map((charge) => charge.state)).toEqual(['settled', 'settled', 'settled']);

    // A second run finds nothing left to do.
    const again = bufferIo();
    expect(await runCli(cli, again)).toBe(0);
    expect(again.out[0]).toBe('recovered 0 billing record(s): 0');
    await ledger.close();
    await budget.close();
    expect((await serverTotal()).isPositive()).toBe(true);
  });

  it('explains its command line', async () => {
    const help = bufferIo();
    expect(await runCli(['cost', 'recover', '--help'], help)).toBe(0);
    expect(help.out.join('\n')).toContain('Usage: aiaas cost recover --ledger <ledger> --base-url <url>');
    const missing = bufferIo();
    expect(await runCli(['cost', 'recover', '--base-url', server.url], missing)).toBe(2);
    expect(missing.err.join('\n')).toMatch(/--ledger/);
    const badBudget = bufferIo();
    expect(
      await runCli(
        ['cost', 'recover', '--ledger', 'x.jsonl', '--budget', 'b.json', '--base-url', server.url],
        badBudget,
      ),
    ).toBe(2);
    const noFile = bufferIo();
    const args = [
      'cost',
      'recover',
      '--ledger',
      join(directory, 'none.jsonl'),
      '--budget',
      join(directory, 'none.db'),
    ];
    expect(await runCli([...args, '--base-url', server.url], noFile)).toBe(1);
    expect(noFile.err.join('\n')).toMatch(/budget file .* does not exist/);
    const overview = bufferIo();
    expect(await runCli(['cost'], overview)).toBe(2);
    expect(overview.err.join('\n')).toContain('aiaas cost recover');
  });
});
