import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Money } from '../../src/cost/money.js';

const run = promisify(execFile);
// An example starts tsx, a server and its models in a fresh process: tens of seconds on a busy
// 2-core machine. The child's own timeout stops a hung example first.
const exampleTimeoutMs = 80_000;
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs an example as a user would (`npx tsx examples/<name>.ts`), with its own embedded server. */
async function runExample(name: string, args: string[] = []): Promise<string> {
  const environment = { ...process.env };
  delete environment.AIAAS_BASE_URL;
  delete environment.AIAAS_API_KEY;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/${name}.ts`, ...args], {
    cwd: root,
    env: environment,
    timeout: exampleTimeoutMs,
  });
  return stdout;
}

// Each expectation is something the example computes at run time and could get wrong.
const examples: Record<string, (output: string) => void> = {
  stream(output) {
    expect(output).toMatch(/usage: \d+ prompt \+ \d+ completion tokens \(reported\)/);
    expect(output).toMatch(/cost: 0\.\d+ USD/);
  },
  chat(output) {
    expect(output).toMatch(/request id: req_\w+/);
    expect(output).toMatch(/cost: 0\.\d+ USD/);
  },
  embeddings(output) {
    const scores = [...output.matchAll(/^(-?\d\.\d{3}) {2}/gm)].map((match) => Number(match[1]));
    expect(scores).toHaveLength(3);
    expect(scores).toEqual([...scores].sort((left, right) => right - left));
    expect(output).toMatch(/^0\.\d{3} {2}We will invest in education/m);
  },
  'classify-oip'(output) {
    expect(output).toMatch(/positive p=0\.9\d\d \(expected positive\)/);
    expect(output).toMatch(/[34] of 4 as expected/);
  },
  'serve-your-onnx-model'(output) {
    expect(output).toContain('serving: ref-chat, ref-embed, ref-classify, scale');
    expect(output).toContain('y FP32 shape [2,2]: 3, 5, 7, 9');
  },
  'deploy-your-model'(output) {
    expect(output).toContain('my-model version 1: READY');
    expect(output).toContain('y FP32 shape [1,2]: 2, 5');
    expect(output).toContain('y FP32 shape [1,2]: -1, -4');
    expect(output).toContain('unloaded my-model');
    // 0.36 USD per hour is 0.0001 USD per second, billed by the second.
    const seconds = Number(/deployed for (\d+) s: /.exec(output)?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(1);
    const cost = Money.of('0.0001', 'USD').times(BigInt(seconds)).toDecimalString();
    expect(output).toContain(`deployed for ${seconds} s: ${cost} USD`);
    expect(output).toContain('2 requests: 0.0004 USD');
    expect(output).toContain('the client ledger recorded the requests: 0.0004 USD');
  },
  ollama(output) {
    expect(output).toMatch(/serves: ref-chat:latest, ref-embed:latest/);
    expect(output).toMatch(/usage: \d+ in, [1-9]\d* out/);
    expect(output).toMatch(/cost: 0\.\d+ USD/);
  },
  'retries-and-faults'(output) {
    expect(output).toMatch(/succeeded on attempt 3 after \d+ ms/);
    expect(output).toMatch(/BadRequestError after 1 attempt\(s\)/);
    expect(output).toContain('server billing records: 1, client ledger entries: 1');
  },
  'resume-stream'(output) {
    expect(output).toMatch(/resumed [1-9] time\(s\)/);
    expect(output).toContain('identical text: true');
  },
  budget(output) {
    expect(output).toMatch(/refused before sending: .*Nothing was sent/);
    const total = /ledger total: ([\d.]+) USD/.exec(output)?.[1];
    expect(Number(total)).toBeLessThanOrEqual(0.0004);
  },
  'train-and-deploy'(output) {
    const epochs = [...output.matchAll(/^epoch (\d+)\/10 {2}loss (\d+\.\d+)/gm)];
    expect(epochs.map((match) => Number(match[1]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Number(epochs.at(-1)?.[2])).toBeLessThan(Number(epochs[0]?.[2]));
    expect(output).toMatch(/^deployed as ft:ref-classify:[^:]+:example:\w+$/m);
    const accuracy = /held-out accuracy: base (\d\.\d+), fine-tuned (\d\.\d+)/.exec(output);
    expect(Number(accuracy?.[2])).toBeGreaterThan(Number(accuracy?.[1]) + 0.2);
    expect(output).toMatch(
      /evaluating cost 0\.\d*[1-9]\d* USD \(base\) and 0\.\d*[1-9]\d* USD \(fine-tuned\)/,
    );
    expect(output).toMatch(/one example: p=\d\.\d{3}, label [01]/);
    expect(output).toMatch(/training billed: 0\.\d*[1-9]\d* USD in \d+ records/);
  },
  'cost-report'(output) {
    expect(output).toMatch(/^TOTAL\s+4\s/m);
    expect(output).toContain("reconciled with the server's billing: zero difference");
    // The ledger is removed at the end, so no path to it is printed.
    expect(output).toContain('ledger: 4 entries in a temporary file, removed when this example ends');
    expect(output).not.toContain('spend.jsonl');
  },
};

describe('examples', { timeout: exampleTimeoutMs + 10_000 }, () => {
  for (const [name, check] of Object.entries(examples)) {
    it(`${name}.ts runs against an embedded server and prints what it computed`, async () => {
      check(await runExample(name));
    });
  }

  it('cost-report.ts --keep keeps the ledger it names, with the entries it reported', async () => {
    const output = await runExample('cost-report', ['--keep']);
    const path = /^ledger: 4 entries in (\S+spend\.jsonl), kept/m.exec(output)?.[1];
    expect(path).toBeDefined();
    try {
      const lines = (await readFile(path!, 'utf8')).split('\n').filter((line) => line !== '');
      expect(lines).toHaveLength(4);
      expect(output).toContain(`aiaas cost report ${path} --by model,day`);
    } finally {
      await rm(dirname(path!), { recursive: true, force: true });
    }
  });
});
