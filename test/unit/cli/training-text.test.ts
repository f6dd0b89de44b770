import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelledJsonl } from '../../../src/cli/labelled-jsonl.js';
import { epochLine, trainingMetricsTable } from '../../../src/cli/metrics-text.js';
import { failureOf } from '../../support/failure-of.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'aiaas-training-text-'));
});
afterAll(() => rm(directory, { recursive: true, force: true }));

async function readAll(path: string) {
  const examples = [];
  for await (const example of labelledJsonl(path)) examples.push(example);
  return examples;
}

describe('labelledJsonl', () => {
  it('reads CRLF and LF lines, skipping blank ones', async () => {
    const path = join(directory, 'mixed.jsonl');
    await writeFile(path, '{"input":[1,2],"label":1}\r\n\r\n{"input":[3,4],"label":0}\n   \n');
    expect(await readAll(path)).toEqual([
      { input: [1, 2], label: 1 },
      { input: [3, 4], label: 0 },
    ]);
  });

  it.each([
    ['{"input":[1,2],"label":1', 'not JSON'],
    ['{"input":[1,"2"],"label":1}', '"input" must be an array of numbers'],
    ['{"input":[1,2],"label":true}', '"label" must be 0 or 1'],
    ['[1,2]', '"input" must be an array of numbers'],
  ])('names the line of %s', async (line, message) => {
    const path = join(directory, 'bad.jsonl');
    await writeFile(path, `{"input":[0,0],"label":0}\n\n${line}\n`);
    const error = await failureOf(readAll(path));
    expect((error as Error).message.startsWith(`${path} line 3: ${message}`)).toBe(true);
  });
});

describe('training text', () => {
  it('estimates what is left from the epochs so far, in seconds then minutes', () => {
    const metrics = { epoch: 2, train_loss: 0.51234, valid_loss: 0.6, accuracy: 0.75 };
    expect(epochLine(metrics, 10, 3_000)).toBe('epoch 2/10  loss 0.5123  val 0.6000  acc 0.7500  ETA 12s');
    expect(epochLine(metrics, 100, 3_000)).toBe(
      'epoch 2/100  loss 0.5123  val 0.6000  acc 0.7500  ETA 2m27s',
    );
    expect(epochLine({ epoch: 1, train_loss: 1 }, undefined, 1_000)).toBe('epoch 1/?  loss 1.0000');
  });

  it('leaves out of the table what the job did not measure', () => {
    expect(trainingMetricsTable({ epoch: 3, train_loss: 0.25, accuracy: 0.9 })).toEqual([
      'epoch       3',
      'train loss  0.2500',
      'accuracy    0.9000',
    ]);
  });
});
