import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/cli-runner.js';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { jsonl, ruleExamples } from './server-fine-tuning-helpers.js';

function bufferIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (line) => out.push(line), stderr: (line) => err.push(line) };
}

const key = 'sk-cli-train';
let server: ReferenceServer;
let directory: string;
let connection: string[];
let trainFile: string;
let testFile: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'aiaas-cli-train-'));
  server = await startReferenceServer({ port: 0, apiKeys: [key], logger: silentServerLogger });
  connection = ['--base-url', server.url, '--api-key', key];
  trainFile = join(directory, 'train.jsonl');
  testFile = join(directory, 'test.jsonl');
  await writeFile(trainFile, jsonl(ruleExamples(400, 100, 5)));
  await writeFile(testFile, jsonl(ruleExamples(120, 100, 6)));
});
afterAll(async () => {
  await server.close();
  await rm(directory, { recursive: true, force: true });
});

describe('aiaas train, jobs and eval', () => {
  let model: string;
  let jobId: string;

  it('trains: uploads, follows each epoch on stderr, prints the metrics table and the model name', async () => {
    const io = bufferIo();
    const args = ['train', trainFile, '--model', 'ref-classify', '--epochs', '3', '--batch-size', '32'];
    const code = await runCli(
      [...args, '--suffix', 'cli', '--seed', '4', '--poll-interval', '20', ...connection],
      io,
    );
    expect(io.err.filter((line) => line.startsWith('aiaas'))).toEqual([]);
    expect(code).toBe(0);
    expect(io.err[0]).toMatch(/^uploaded .*train\.jsonl as file-/);
    jobId =
      /^started job (\S+)$/.exec(io.err.find((line) => line.startsWith('started job')) ?? '')?.[1] ?? '';
    expect(jobId).toMatch(/^ftjob-/);
    const epochs = io.err.filter((line) => line.startsWith('epoch '));
    expect(epochs.map((line) => line.split('  ')[0])).toEqual(['epoch 1/3', 'epoch 2/3', 'epoch 3/3']);
    expect(epochs[0]).toMatch(/loss \d\.\d{4}.*acc \d\.\d{4}.*ETA \d+s$/);
    expect(io.out).toContainEqual(expect.stringMatching(/^epoch +3$/));
    expect(io.out).toContainEqual(expect.stringMatching(/^accuracy +0\.\d{4}$/));
    expect(io.out).toContainEqual(expect.stringMatching(/^ROC AUC +0\.\d{4}$/));
    model = io.out.at(-1)!.replace('model: ', '');
    expect(model).toMatch(/^ft:ref-classify:[^:]+:cli:/);
  }, 120_000);

  it('lists the job and prints its events oldest first', async () => {
    const list = bufferIo();
    expect(await runCli(['jobs', 'list', ...connection], list)).toBe(0);
    expect(list.out[0]).toMatch(/^ID +STATUS +MODEL +FINE-TUNED MODEL +CREATED$/);
    expect(list.out).toContainEqual(
      expect.stringMatching(new RegExp(`^${jobId} +succeeded +ref-classify +${model}`)),
    );
    const one = bufferIo();
    expect(await runCli(['jobs', 'list', '--limit', '1', ...connection], one)).toBe(0);
    expect(one.out).toHaveLength(2);
    const finished = bufferIo();
    expect(await runCli(['jobs', 'cancel', jobId, ...connection], finished)).toBe(1);
    expect(finished.err[0]).toMatch(/^aiaas jobs cancel: 400 /);
    const events = bufferIo();
    expect(await runCli(['jobs', 'events', jobId, ...connection], events)).toBe(0);
    const times = events.out.map((line) => line.slice(0, 20));
    expect(times).toEqual([...times].sort());
    expect(events.out.length).toBeGreaterThanOrEqual(4);
  });

  it('evaluates the trained model and the base one on held-out data, with the cost when priced', async () => {
    const tuned = bufferIo();
    const tunedCode = await runCli(['eval', model, testFile, '--batch-size', '16', ...connection], tuned);
    expect(tuned.err).toEqual([]);
    expect(tunedCode).toBe(0);
    expect(tuned.out[0]).toBe('examples   120');
    expect(tuned.out).toContainEqual(expect.stringMatching(/^accuracy +0\.\d{4}$/));
    expect(tuned.out).toContainEqual(expect.stringMatching(/^actual 1 +\d+ +\d+$/));
    const base = bufferIo();
    expect(await runCli(['eval', 'ref-classify', testFile, ...connection], base)).toBe(0);
    expect(base.out.at(-1)).toMatch(/^cost: \d+\.\d+ USD$/);
  });

  it('cancels a running job', async () => {
    const client = new AiaasClient({ baseURL: server.url, apiKey: key, logLevel: 'off' });
    try {
      const file = await client.files.create({ file: trainFile, purpose: 'fine-tune' });
      const job = await client.fineTuning.jobs.create({
        model: 'ref-classify',
        training_file: file.id,
        hyperparameters: { n_epochs: 1_000 },
      });
      const io = bufferIo();
      expect(await runCli(['jobs', 'cancel', job.id, ...connection], io)).toBe(0);
      expect(io.out).toEqual([`${job.id}: cancelled`]);
      expect((await client.fineTuning.jobs.wait(job.id, { pollInterval: 20 })).status).toBe('cancelled');
    } finally {
      await client.close();
    }
  });

  it('on a terminal, redraws one progress line (epoch, loss, ETA) and erases it before the results', async () => {
    const drawn: string[] = [];
    const io = { ...bufferIo(), interactive: true, writeStderr: (text: string) => drawn.push(text) };
    const args = ['train', trainFile, '--validation', testFile, '--epochs', '2', '--poll-interval', '20'];
    expect(await runCli([...args, ...connection], io)).toBe(0);
    expect(io.err).toContainEqual(expect.stringMatching(/^uploaded .*test\.jsonl as file-/));
    expect(io.err.filter((line) => line.startsWith('epoch '))).toEqual([]);
    expect(drawn.some((text) => /epoch 2\/2 {2}loss \d\.\d{4} {2}val \d\.\d{4}/.test(text))).toBe(true);
    expect(io.out).toContainEqual(expect.stringMatching(/^valid loss +\d\.\d{4}$/));
    expect(drawn.at(-1)).toBe('\r\u001b[K');
    expect(io.out.at(-1)).toMatch(/^model: ft:ref-classify:/);
    const evalDrawn: string[] = [];
    const evalIo = { ...bufferIo(), interactive: true, writeStderr: (text: string) => evalDrawn.push(text) };
    expect(
      await runCli(['eval', 'ref-classify', testFile, '--batch-size', '60', ...connection], evalIo),
    ).toBe(0);
    expect(evalDrawn.some((text) => text.includes('evaluating ref-classify: 120 examples'))).toBe(true);
    expect(evalDrawn.at(-1)).toBe('\r\u001b[K');
  }, 120_000);

  it('names what is wrong: a bad data line, a failing job, a missing argument', async () => {
    const bad = join(directory, 'bad.jsonl');
    await writeFile(bad, `${JSON.stringify({ input: [1, 2], label: 1 })}\n{"input": "text", "label": 0}\n`);
    const evalIo = bufferIo();
    expect(await runCli(['eval', 'ref-classify', bad, ...connection], evalIo)).toBe(1);
    expect(evalIo.err).toEqual([
      `aiaas eval: ${bad} line 2: "input" must be an array of numbers (the model's features)`,
    ]);
    const trainIo = bufferIo();
    expect(await runCli(['train', bad, '--poll-interval', '20', ...connection], trainIo)).toBe(1);
    expect(trainIo.err.at(-1)).toMatch(/^aiaas train: (job \S+ failed: )?.+/);
    const usage = bufferIo();
    expect(await runCli(['jobs', 'events', ...connection], usage)).toBe(2);
    expect(usage.err[0]).toContain('name the job to show.');
    expect(
      await runCli(['train', trainFile, '--architecture', '100,8:gelu', ...connection], bufferIo()),
    ).toBe(2);
  });
});
