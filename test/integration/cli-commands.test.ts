import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/cli-runner.js';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import { JsonlLedgerStore } from '../../src/cost/jsonl-ledger-store.js';
import { Ledger } from '../../src/cost/ledger.js';
import { Money } from '../../src/cost/money.js';
import { makeUsage } from '../../src/cost/usage.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { sendJson, startDialectTestServer } from '../support/dialect-test-server.js';
import { sendFixture } from '../support/fixture-files.js';

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

  it('lists the served models, one per line with its state and price', async () => {
    const io = bufferIo();
    expect(await runCli(['models', '--base-url', server.url, '--api-key', 'sk-cli'], io)).toBe(0);
    expect(io.out).toEqual([
      'ref-chat      READY  USD 0.50/M input tokens, USD 1.50/M output tokens',
      'ref-embed     READY  USD 0.10/MB in, USD 0.02/MB out',
      'ref-classify  READY  USD 0.0004/compute second, USD 0.00001/request',
    ]);
  });

  it('exits 1 with the server error for a wrong key, and never prints the key', async () => {
    const io = bufferIo();
    expect(await runCli(['models', '--base-url', server.url, '--api-key', 'sk-wrong-secret'], io)).toBe(1);
    const output = [...io.out, ...io.err].join('\n');
    expect(output).toMatch(/401|api key/i);
    expect(output).not.toContain('sk-wrong-secret');
  });
});

describe('aiaas chat', () => {
  let server: ReferenceServer;
  let client: AiaasClient;
  const connection = () => ['--api-key', 'sk-cli', '--base-url', server.url];
  beforeAll(async () => {
    server = await startReferenceServer({ port: 0, apiKeys: ['sk-cli'], logger: silentServerLogger });
    client = new AiaasClient({ baseURL: server.url, apiKey: 'sk-cli', logLevel: 'off' });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  async function expectedAnswer(
    prompt: string,
    options: { maxTokens: number; seed: number; system?: string },
  ) {
    const completion = await client.chat.completions.create({
      model: 'ref-chat',
      messages: [
        ...(options.system === undefined ? [] : [{ role: 'system' as const, content: options.system }]),
        { role: 'user', content: prompt },
      ],
      max_tokens: options.maxTokens,
      seed: options.seed,
    });
    return { text: completion.choices[0]!.message.content, usage: completion.usage! };
  }

  it('prints the same answer as the client for the same seed, then tokens and the server-priced cost', async () => {
    const expected = await expectedAnswer('How are jobs?', { maxTokens: 12, seed: 7 });
    const io = bufferIo();
    const args = ['chat', 'How are jobs?', '--max-tokens', '12', '--seed', '7', ...connection()];
    expect(await runCli(args, io)).toBe(0);
    expect(io.err).toEqual([]);
    const [text, tokens, cost, ...rest] = io.out;
    expect(rest).toEqual([]);
    expect(text).toBe(expected.text);
    expect(tokens).toBe(
      `tokens: ${expected.usage.prompt_tokens} in, ${expected.usage.completion_tokens} out (reported)`,
    );
    expect(cost).toMatch(/^cost: 0\.\d+ USD$/);
  });

  it('streams the answer as it arrives with --stream, to the same text, with a system message', async () => {
    const expected = await expectedAnswer('the economy', { maxTokens: 10, seed: 3, system: 'Be brief.' });
    const writes: string[] = [];
    const progress: string[] = [];
    const io = {
      ...bufferIo(),
      interactive: true,
      writeStdout: (text: string) => writes.push(text),
      writeStderr: (text: string) => progress.push(text),
    };
    const args = [
      'chat',
      'the economy',
      '--stream',
      '--system',
      'Be brief.',
      '--max-tokens',
      '10',
      '--seed',
      '3',
    ];
    expect(await runCli([...args, ...connection()], io)).toBe(0);
    // Several pieces, not one buffered write: the text went out as it arrived.
    expect(writes.length).toBeGreaterThan(2);
    expect(writes.join('')).toBe(`${expected.text}\n`);
    expect(io.out[0]).toBe(
      `tokens: ${expected.usage.prompt_tokens} in, ${expected.usage.completion_tokens} out (reported)`,
    );
    expect(io.out[1]).toMatch(/^cost: 0\.\d+ USD$/);
    // The progress line was drawn while waiting and erased before the answer.
    expect(progress[0]).toContain('waiting for ref-chat');
    expect(progress.at(-1)).toBe('\r\u001b[K');
  });

  it('streams by default on a terminal and prints whole answers otherwise', async () => {
    const writes: string[] = [];
    const terminal = { ...bufferIo(), interactive: true, writeStdout: (text: string) => writes.push(text) };
    expect(
      await runCli(['chat', 'jobs', '--max-tokens', '6', '--seed', '1', ...connection()], terminal),
    ).toBe(0);
    const piped = {
      ...bufferIo(),
      interactive: false,
      writeStdout: (text: string) => writes.push(`piped:${text}`),
    };
    expect(await runCli(['chat', 'jobs', '--max-tokens', '6', '--seed', '1', ...connection()], piped)).toBe(
      0,
    );
    expect(writes.some((text) => text.startsWith('piped:'))).toBe(false);
    expect(writes.join('')).toBe(`${piped.out[0]}\n`);
  });

  it('prints "cost: unpriced" when the server publishes no pricing', async () => {
    const local = await startDialectTestServer();
    try {
      local.route('POST', '/v1/chat/completions', (_request, response) =>
        sendFixture(response, 'openai/chat-completion.json'),
      );
      const io = bufferIo();
      expect(await runCli(['chat', 'hi', '--base-url', `${local.url}/v1`], io)).toBe(0);
      expect(local.requests.map((request) => `${request.method} ${request.path}`)).toContain(
        'GET /v1/pricing',
      );
      expect(io.out.at(-1)).toBe('cost: unpriced');
      expect(io.out.at(-2)).toMatch(/^tokens: \d+ in, \d+ out \(reported\)$/);
    } finally {
      await local.close();
    }
  });

  it('says a model is not found, listing what is served, also when the server prices nothing and answers 404', async () => {
    const local = await startDialectTestServer();
    try {
      local.route('POST', '/v1/chat/completions', (_request, response) =>
        sendJson(response, 404, {
          error: {
            message: 'The model `gpt-9` does not exist',
            type: 'invalid_request_error',
            code: 'model_not_found',
          },
        }),
      );
      local.route('GET', '/v1/models', (_request, response) =>
        sendJson(response, 200, {
          object: 'list',
          data: [{ id: 'small', object: 'model', created: 0, owned_by: 'test' }],
        }),
      );
      const io = bufferIo();
      expect(await runCli(['chat', 'hi', '--model', 'gpt-9', '--base-url', `${local.url}/v1`], io)).toBe(1);
      expect(io.err).toEqual([
        `aiaas chat: model 'gpt-9' was not found on ${local.url}/v1; it serves: small.`,
      ]);
    } finally {
      await local.close();
    }
  });

  it('keeps the server error when the model is served and the call fails for another reason', async () => {
    const local = await startDialectTestServer();
    try {
      local.route('POST', '/v1/chat/completions', (_request, response) =>
        sendJson(response, 404, { error: { message: 'no route to the deployment', type: 'not_found' } }),
      );
      local.route('GET', '/v1/models', (_request, response) =>
        sendJson(response, 200, {
          object: 'list',
          data: [{ id: 'ref-chat', object: 'model', created: 0, owned_by: 'test' }],
        }),
      );
      const io = bufferIo();
      expect(await runCli(['chat', 'hi', '--base-url', `${local.url}/v1`], io)).toBe(1);
      expect(io.err.join('\n')).toMatch(/^aiaas chat: .*no route to the deployment/);
    } finally {
      await local.close();
    }
  });

  it('exits 1 with the error on stderr for a failed call, and 2 for a bad command line', async () => {
    const unknownModel = bufferIo();
    expect(await runCli(['chat', 'hi', '--model', 'no-such-model', ...connection()], unknownModel)).toBe(1);
    expect(unknownModel.err).toEqual([
      `aiaas chat: model 'no-such-model' was not found on ${server.url}/v1; it serves: ${server.models.join(', ')}.`,
    ]);
    expect(unknownModel.out).toEqual([]);
    for (const args of [['chat'], ['chat', 'hi', '--max-tokens', 'many'], ['chat', 'hi', '--colour']]) {
      const io = bufferIo();
      expect(await runCli([...args, ...connection()], io)).toBe(2);
      expect(io.err.join('\n')).toContain('aiaas chat --help');
    }
    const help = bufferIo();
    expect(await runCli(['chat', '--help'], help)).toBe(0);
    expect(help.out.join('\n')).toContain('--max-tokens <n>');
  });
});

describe('help texts', () => {
  /** The column each option's description starts at, for every row of a help text's sections. */
  function descriptionColumns(help: string): number[] {
    return help
      .split('\n')
      .filter((line) => /^ {2}\S/.test(line))
      .map((line) => /^ {2}\S.*? {2,}(?=\S)/.exec(line)?.[0].length ?? -1);
  }

  it.each([
    [['serve', '--help']],
    [['chat', '--help']],
    [['models', '--help']],
    [['deploy', '--help']],
    [['train', '--help']],
    [['jobs', '--help']],
    [['eval', '--help']],
    [['cost', 'report', '--help']],
  ])('aiaas %j lines its descriptions up in one column, within 80 characters', async (args) => {
    const io = bufferIo();
    expect(await runCli(args, io)).toBe(0);
    const help = io.out.join('\n');
    const columns = descriptionColumns(help.slice(help.indexOf('Options:')));
    expect(columns.length).toBeGreaterThan(3);
    expect(new Set(columns)).toEqual(new Set([columns[0]]));
    // Wrapped descriptions go on in the same column.
    for (const line of help.split('\n').filter((each) => /^ {3,}\S/.test(each))) {
      expect(line.length - line.trimStart().length).toBe(columns[0]);
    }
    for (const line of help.slice(help.indexOf('Options:')).split('\n'))
      expect(line.length).toBeLessThanOrEqual(80);
  });

  it('aiaas serve --help shows every flag it accepts, --chaos-rate and --workers among them', async () => {
    const io = bufferIo();
    expect(await runCli(['serve', '--help'], io)).toBe(0);
    const help = io.out.join('\n');
    for (const flag of [
      '--port',
      '--api-key',
      '--chaos-rate',
      '--resume-window-ms',
      '--workers',
      '--no-batching',
    ]) {
      expect(help).toMatch(new RegExp(`^ {2}${flag}\\b`, 'm'));
    }
  });

  it('lines up the command list of aiaas --help', async () => {
    const io = bufferIo();
    expect(await runCli(['--help'], io)).toBe(0);
    const help = io.out.join('\n');
    const commands = help.slice(help.indexOf('Commands:'), help.indexOf('Options:'));
    const columns = descriptionColumns(commands);
    expect(columns).toHaveLength(11);
    expect(new Set(columns).size).toBe(1);
  });

  it('prints the cost usage on stderr with code 2 when no subcommand is given', async () => {
    const io = bufferIo();
    expect(await runCli(['cost'], io)).toBe(2);
    expect(io.out).toEqual([]);
    expect(io.err.join('\n')).toContain('Usage: aiaas cost report');
  });
});
