import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { LabelledExample } from '../evaluation/labelled-batches.js';

/** A line of the data file that is not a labelled example; the message names the file and line. */
export class DataLineError extends Error {
  override readonly name = 'DataLineError';
}

function exampleOf(text: string, where: string): LabelledExample {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DataLineError(`${where}: not JSON`);
  }
  const { input, label } = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  if (!Array.isArray(input) || !input.every((item) => typeof item === 'number' && Number.isFinite(item))) {
    throw new DataLineError(`${where}: "input" must be an array of numbers (the model's features)`);
  }
  if (label !== 0 && label !== 1) throw new DataLineError(`${where}: "label" must be 0 or 1`);
  return { input, label };
}

/**
 * The labelled examples of a JSONL file (`{"input": [numbers], "label": 0|1}` a line), read line
 * by line as they are needed; blank lines are skipped.
 *
 * @example
 * await evaluate({ client, model, data: labelledJsonl('test.jsonl') });
 */
export async function* labelledJsonl(path: string): AsyncGenerator<LabelledExample> {
  const lines = createInterface({
    input: createReadStream(path, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let number = 0;
  try {
    for await (const line of lines) {
      number += 1;
      if (line.trim() !== '') yield exampleOf(line, `${path} line ${number}`);
    }
  } finally {
    lines.close();
  }
}
