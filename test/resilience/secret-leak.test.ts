import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensor } from '../../src/builders/tensor-builder.js';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import { Budget } from '../../src/cost/budget.js';
import { JsonlLedgerStore } from '../../src/cost/jsonl-ledger-store.js';
import { Ledger } from '../../src/cost/ledger.js';
import { Money } from '../../src/cost/money.js';
import { AiaasError } from '../../src/errors/index.js';
import { type ReferenceServer, startReferenceServer, verboseServerLogger } from '../../src/server/index.js';
import { captureAllOutput, type OutputCapture } from './support/output-capture.js';

// Extends test/unit/client/logging-redaction.test.ts (one fake server, one 401) and
// server-auth.test.ts (server log lines): here every failure path end to end, all output of
// both sides, thrown errors as inspect() shows them, and the files both sides write.
const tenantKey = 'sk-resilience-alpha-7f3c9d2e1b';
const otherTenantKey = 'sk-resilience-beta-4a6b8c0d2e';
const wrongKey = 'sk-resilience-wrong-9e8d7c6b5a';
const secrets = [tenantKey, otherTenantKey, wrongKey, '7f3c9d2e1b', '4a6b8c0d2e', '9e8d7c6b5a'];

const chat = {
  model: 'ref-chat',
  messages: [{ role: 'user' as const, content: 'Tell me about jobs' }],
  max_tokens: 8,
};
const fault = (directive: string) => ({ headers: { 'x-aiaas-fault': directive } });

let directory: string;
let server: ReferenceServer;
let output: OutputCapture;
const thrown: unknown[] = [];

async function failure(call: () => Promise<unknown>): Promise<void> {
  const error = await call().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error === undefined) throw new Error('expected the call to fail');
  thrown.push(error);
}

async function consume(open: () => Promise<{ final(): Promise<unknown> }>): Promise<unknown> {
  return (await open()).final();
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'aiaas-secrets-'));
  output = captureAllOutput();
  server = await startReferenceServer({
    port: 0,
    apiKeys: [tenantKey, otherTenantKey],
    logger: verboseServerLogger,
    billingFile: join(directory, 'billing.jsonl'),
  });
  const ledger = new Ledger({ store: new JsonlLedgerStore(join(directory, 'ledger.jsonl')) });
  // No `logger`: the default (console) at debug level, so everything the SDK says is captured.
  const common = {
    apiKey: tenantKey,
    logLevel: 'debug' as const,
    pricing: 'server' as const,
    ledger,
    maxRetries: 1,
  };
  const openai = new AiaasClient({ ...common, baseURL: `${server.url}/v1` });
  const oip = new AiaasClient({ ...common, baseURL: server.url, provider: 'oip' });
  const wrong = new AiaasClient({ ...common, apiKey: wrongKey, baseURL: `${server.url}/v1` });
  const broke = new AiaasClient({
    ...common,
    baseURL: `${server.url}/v1`,
    budget: new Budget({ limits: [{ limit: Money.of('0.000000001', 'USD') }] }),
  });
  const nowhere = new AiaasClient({ ...common, baseURL: 'http://127.0.0.1:9/v1' });
  try {
    await openai.chat.completions.create(chat);
    await consume(() => openai.chat.completions.stream(chat));
    await consume(() => openai.chat.completions.stream(chat, fault('drop_after=2;times=1')));
    await openai.embeddings.create({ model: 'ref-embed', input: ['taxes'] });
    await oip.inference.infer('ref-classify', [tensor('input', new Float32Array(100).fill(0.2), [1, 100])]);
    await failure(() =>
      consume(() =>
        openai.chat.completions.stream(chat, { ...fault('stall_after=2'), idleTimeout: 100, maxResumes: 0 }),
      ),
    );
    // No resumes: these must end in their errors, whatever the streaming layer could recover.
    await failure(() =>
      consume(() => openai.chat.completions.stream(chat, { ...fault('malformed_after=2'), maxResumes: 0 })),
    );
    await failure(() => openai.chat.completions.create(chat, fault('status=429;retry_after_ms=5')));
    await failure(() => openai.chat.completions.create(chat, fault('status=503')));
    await failure(() => openai.embeddings.create({ model: 'ref-embed', input: ['x'] }, fault('reset')));
    await failure(() =>
      openai.chat.completions.create(chat, { ...fault('delay_ms=400'), timeout: 50, maxRetries: 0 }),
    );
    await failure(() => openai.chat.completions.create({ ...chat, model: 'no-such-model' }));
    await failure(() => openai.chat.completions.create({ ...chat, messages: [] }));
    await failure(async () => {
      await openai.chat.completions.create(chat, { idempotencyKey: 'reused' });
      await openai.chat.completions.create({ ...chat, max_tokens: 9 }, { idempotencyKey: 'reused' });
    });
    await failure(() => wrong.chat.completions.create(chat));
    await failure(() => broke.chat.completions.create(chat));
    await failure(() => nowhere.models.list());
    await failure(() => openai.chat.completions.create(chat, { signal: AbortSignal.abort() }));
  } finally {
    for (const client of [openai, oip, wrong, broke, nowhere]) await client.close();
    await ledger.close();
  }
});

afterAll(async () => {
  output.restore();
  await server.close();
  rmSync(directory, { recursive: true, force: true });
});

function expectNoSecret(text: string, where: string): void {
  for (const secret of secrets) expect(text.includes(secret), `${where} contains ${secret}`).toBe(false);
}

describe('API keys never leak', () => {
  it('not into any console or process output of the client at debug level or the server at verbose', () => {
    const text = output.text();
    // The capture saw real work: debug lines of requests on the client, info lines on the server.
    expect(output.lines().filter((line) => line.includes('request POST')).length).toBeGreaterThan(10);
    expect(text).toContain('reference server listening');
    expect(text).toContain('[redacted]');
    expectNoSecret(text, 'the captured output');
  });

  it('not into error messages, stacks, enumerable fields, inspect() or causes of any thrown error', () => {
    expect(thrown).toHaveLength(13);
    const names = new Set(thrown.map((error) => (error as Error).name));
    for (const name of [
      'StreamTimeoutError',
      'StreamError',
      'RateLimitError',
      'InternalServerError',
      'AuthenticationError',
      'BudgetExceededError',
      'ConflictError',
    ]) {
      expect(names, name).toContain(name);
    }
    for (const error of thrown) {
      expect(AiaasError.isInstance(error), String(error)).toBe(true);
      const views = [
        String(error),
        (error as Error).stack ?? '',
        JSON.stringify(error),
        JSON.stringify({ ...(error as object) }),
        inspect(error, { showHidden: true, depth: Number.POSITIVE_INFINITY, getters: true }),
      ];
      expectNoSecret(views.join('\n'), `the ${(error as Error).name}`);
    }
  });

  it('not into the ledger file, the billing file, /v1/usage or /metrics', async () => {
    const ledgerText = readFileSync(join(directory, 'ledger.jsonl'), 'utf8');
    const billingText = readFileSync(join(directory, 'billing.jsonl'), 'utf8');
    expect(ledgerText.split('\n').filter(Boolean).length).toBeGreaterThan(5);
    expect(billingText.split('\n').filter(Boolean).length).toBeGreaterThan(5);
    const usage = await (
      await fetch(`${server.url}/v1/usage`, { headers: { authorization: `Bearer ${tenantKey}` } })
    ).text();
    const metrics = await (
      await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${tenantKey}` } })
    ).text();
    expect(usage).toContain('"tenant":"key_');
    expect(metrics).toContain('# TYPE');
    expectNoSecret(ledgerText, 'the ledger file');
    expectNoSecret(billingText, 'the billing file');
    expectNoSecret(usage, 'GET /v1/usage');
    expectNoSecret(metrics, 'GET /metrics');
  });
});
