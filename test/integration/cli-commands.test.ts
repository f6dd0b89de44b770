import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/cli-runner.js';
import { JsonlLedgerStore } from '../../src/cost/jsonl-ledger-store.js';
import { Ledger } from '../../src/cost/ledger.js';
import { Money } from '../../src/cost/money.js';
import { makeUsage } from '../../src/cost/usage.js';
import { type ReferenceServer, startReferenceServer } from '../../src/server/index.js';

function bufferIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (line) => out.push(line), stderr: (line) => err.push(line) };
}

let directory: string;
let ledgerPath: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'aiaas-cli-'));
  ledgerPath = join(directory, 'spend.jsonl');
  const ledger = new Ledger({ store: new JsonlLedgerStore(ledgerPath, { fsync: false }) });
  const day = (text: string) => new Date(`${text}T12:00:00Z`);
  const entries = [
    { model: 'ref-chat', cost: '0.000000150', time: day('2026-11-20') },
    { model: 'ref-chat', cost: '0.000000275', time: day('2026-11-21') },
    { model: 'ref-embed', cost: '0.1', time: day('2026-11-21') },
  ];
  for (const [index, entry] of entries.entries()) {
    await ledger.append({
      model: entry.model,
      provider: 'openai',
      idempotencyKey: `key-${index}`,
      attempt: 1,
      usage: makeUsage({ inputTokens: 10 + index, outputTokens: 5 }),
      cost: Money.of(entry.cost, 'USD'),
      status: 'ok',
      time: entry.time,
    });
  }
  await ledger.close();
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('aiaas cost report', () => {
  it('groups by model and day as exact JSON totals', async () => {
    const io = bufferIo();
    const code = await runCli(['cost', 'report', ledgerPath, '--by', 'model,day', '--format', 'json'], io);
    expect(code).toBe(0);
    const report = JSON.parse(io.out.join('\n'));
    expect(report.entries).toBe(3);
    expect(report.totals).toEqual({ USD: '0.100000425' });
    expect(report.rows.map((row: { group: unknown; total: string }) => [row.group, row.total])).toEqual([
      [{ model: 'ref-chat', day: '2026-11-20' }, '0.00000015'],
      [{ model: 'ref-chat', day: '2026-11-21' }, '0.000000275'],
      [{ model: 'ref-embed', day: '2026-11-21' }, '0.1'],
    ]);
  });

  it('prints CSV with a header and one row per group', async () => {
    const io = bufferIo();
    expect(await runCli(['cost', 'report', ledgerPath, '--format', 'csv'], io)).toBe(0);
    const lines = io.out.join('\n').split('\n');
    expect(lines[0]?.startsWith('model,currency,entries,')).toBe(true);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^ref-chat,USD,2,/);
  });

  it('prints a table rounded for display when --digits is given', async () => {
    const io = bufferIo();
    expect(await runCli(['cost', 'report', ledgerPath, '--digits', '4'], io)).toBe(0);
    const table = io.out.join('\n');
    expect(table).toContain('ref-embed');
    expect(table).toContain('0.1000');
  });

  it('reads a torn last line as the entries before it, and says so on stderr', async () => {
    const tornPath = join(directory, 'torn.jsonl');
    const { readFile } = await import('node:fs/promises');
    const whole = await readFile(ledgerPath, 'utf8');
    await writeFile(tornPath, `${whole}{"id":"half`);
    const io = bufferIo();
    expect(await runCli(['cost', 'report', tornPath, '--format', 'json'], io)).toBe(0);
    expect(JSON.parse(io.out.join('\n')).entries).toBe(3);
    expect(io.err.join('\n')).toMatch(/aiaas cost report: .*line/i);
  });

  it('exits 1 with a message for a missing ledger, 2 for a bad flag or dimension', async () => {
    const missing = bufferIo();
    expect(await runCli(['cost', 'report', join(directory, 'nope.jsonl')], missing)).toBe(1);
    expect(missing.err.join('\n')).toContain('does not exist');
    const badDimension = bufferIo();
    expect(await runCli(['cost', 'report', ledgerPath, '--by', 'colour'], badDimension)).toBe(2);
    expect(badDimension.err.join('\n')).toContain('colour');
    const badFormat = bufferIo();
    expect(await runCli(['cost', 'report', ledgerPath, '--format', 'xml'], badFormat)).toBe(2);
    const unknownFlag = bufferIo();
    expect(await runCli(['cost', 'report', ledgerPath, '--colour'], unknownFlag)).toBe(2);
  });
});

describe('aiaas models', () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await startReferenceServer({ port: 0, apiKeys: ['sk-cli'] });
  });
  afterAll(async () => {
    await server.close();
  });

  it('lists the served models, one per line', async () => {
    const io = bufferIo();
    expect(await runCli(['models', '--base-url', server.url, '--api-key', 'sk-cli'], io)).toBe(0);
    expect(io.out).toEqual(expect.arrayContaining(['ref-chat', 'ref-embed']));
  });

  it('exits 1 with the server error for a wrong key, and never prints the key', async () => {
    const io = bufferIo();
    expect(await runCli(['models', '--base-url', server.url, '--api-key', 'sk-wrong-secret'], io)).toBe(1);
    const output = [...io.out, ...io.err].join('\n');
    expect(output).toMatch(/401|api key/i);
    expect(output).not.toContain('sk-wrong-secret');
  });
});
