import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonlLedgerStore } from '../../../src/cost/jsonl-ledger-store.js';
import { Ledger } from '../../../src/cost/ledger.js';
import { Money } from '../../../src/cost/money.js';
import { makeUsage } from '../../../src/cost/usage.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'aiaas-jsonl-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const entry = (id: string) => ({
  id,
  model: 'ref-chat',
  provider: 'aiaas',
  status: 'ok' as const,
  usage: makeUsage({ inputTokens: 3, outputTokens: 5, requests: 1 }),
  cost: Money.of('0.000000150', 'USD'),
  time: new Date('2025-01-01T00:00:00Z'),
});

describe('JsonlLedgerStore', () => {
  it('writes one JSON object per line with money as a decimal string', async () => {
    const path = join(directory, 'format.jsonl');
    const ledger = new Ledger({ store: new JsonlLedgerStore(path) });
    await ledger.append(entry('a'));
    await ledger.append(entry('b'));
    await ledger.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    const record = JSON.parse(lines[0] as string);
    expect(record).toMatchObject({ v: 1, id: 'a', cost: { amount: '0.00000015', currency: 'USD' } });
    expect(record.usage).toEqual({
      inputTokens: { value: 3, provenance: 'reported' },
      outputTokens: { value: 5, provenance: 'reported' },
      requests: { value: 1, provenance: 'reported' },
    });
  });

  it('skips a torn last line with a warning and never loses earlier lines', async () => {
    const path = join(directory, 'torn.jsonl');
    const first = new Ledger({ store: new JsonlLedgerStore(path) });
    await first.append(entry('a'));
    await first.append(entry('b'));
    await first.close();
    // A crash mid-write leaves half a line without its newline.
    const whole = (await readFile(path, 'utf8')).split('\n')[0] as string;
    await appendFile(path, whole.slice(0, 40));

    const warnings: string[] = [];
    const reopened = new Ledger({
      store: new JsonlLedgerStore(path, { onWarning: (message) => warnings.push(message) }),
    });
    expect((await reopened.entries()).map((item) => item.id)).toEqual(['a', 'b']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/torn last line \(line 3\)/);

    // Appending after the torn fragment starts a fresh line; the fragment stays skipped.
    await reopened.append(entry('c'));
    expect((await reopened.entries()).map((item) => item.id)).toEqual(['a', 'b', 'c']);
    await reopened.close();
    const text = await readFile(path, 'utf8');
    expect(text.startsWith(`${whole}\n`)).toBe(true);
    expect(text.split('\n')).toHaveLength(5);
  });

  it('accepts a complete last line whose newline was lost, and keeps appending on a new line', async () => {
    const path = join(directory, 'no-newline.jsonl');
    const ledger = new Ledger({ store: new JsonlLedgerStore(path) });
    await ledger.append(entry('a'));
    await ledger.close();
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.trimEnd());
    const warnings: string[] = [];
    const reopened = new Ledger({
      store: new JsonlLedgerStore(path, { onWarning: (message) => warnings.push(message) }),
    });
    await reopened.append(entry('b'));
    expect((await reopened.entries()).map((item) => item.id)).toEqual(['a', 'b']);
    expect(warnings).toEqual([]);
    await reopened.close();
  });

  it('names a damaged middle line and keeps the lines around it', async () => {
    const path = join(directory, 'damaged.jsonl');
    const ledger = new Ledger({ store: new JsonlLedgerStore(path, { fsync: false }) });
    await ledger.append(entry('a'));
    await ledger.close();
    await appendFile(path, '{"v":1,"id":"x","garbage":true}\n');
    const warnings: string[] = [];
    const store = new JsonlLedgerStore(path, { onWarning: (message) => warnings.push(message) });
    const reopened = new Ledger({ store });
    await reopened.append(entry('b'));
    expect((await reopened.entries()).map((item) => item.id)).toEqual(['a', 'b']);
    await reopened.entries();
    expect(warnings).toEqual([expect.stringMatching(/unreadable line 2/)]);
    await reopened.close();
    await expect(reopened.append(entry('c'))).rejects.toThrow(/closed/);
  });

  it('reads a missing file as an empty ledger', async () => {
    const store = new JsonlLedgerStore(join(directory, 'missing.jsonl'));
    expect(await store.entries({})).toEqual([]);
  });
});
