import { uploadFile } from './server-files-helpers.js';
import { bearer, eventually } from './server-pipeline-helpers.js';
import { type JsonAnswer, requestJson } from './server-test-client.js';

/** A small seeded generator (mulberry32), so every run trains on the same data. */
function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RuleExample {
  input: number[];
  label: 0 | 1;
}

/** A learnable rule: inputs uniform in [-1, 1), label 1 when the first 10 sum above 0. */
export function ruleExamples(rows: number, inputDim: number, seed: number): RuleExample[] {
  const next = seededUniform(seed);
  return Array.from({ length: rows }, () => {
    const input = Array.from({ length: inputDim }, () => Math.round((next() * 2 - 1) * 1000) / 1000);
    const sum = input.slice(0, 10).reduce((total, value) => total + value, 0);
    return { input, label: sum > 0 ? 1 : 0 };
  });
}

export const jsonl = (rows: readonly unknown[]) => `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;

/** Uploads JSONL text (purpose `fine-tune` unless told) and returns the file id. */
export async function uploadTrainingFile(url: string, key: string, text: string, purpose = 'fine-tune') {
  const upload = await uploadFile(url, key, { bytes: text, name: 'train.jsonl' }, { purpose });
  if (upload.status !== 200) throw new Error(`upload failed: ${JSON.stringify(upload.body)}`);
  return upload.body.id as string;
}

export function createJob(url: string, key: string, body: unknown): Promise<JsonAnswer> {
  return requestJson(`${url}/v1/fine_tuning/jobs`, { body, headers: bearer(key) });
}

export function getJson(url: string, key: string, path: string): Promise<JsonAnswer> {
  return requestJson(`${url}${path}`, { headers: bearer(key) });
}

/** Polls the job until `holds` is true of it (by default: a terminal status), within `timeoutMs`. */
export function waitForJob(
  url: string,
  key: string,
  id: string,
  // biome-ignore lint/suspicious/noExplicitAny: the job object as JSON.
  holds: (job: any) => boolean = (job) => ['succeeded', 'failed', 'cancelled'].includes(job.status),
  timeoutMs = 60_000,
  // biome-ignore lint/suspicious/noExplicitAny: the job object as JSON.
): Promise<any> {
  return eventually(async () => {
    const answer = await getJson(url, key, `/v1/fine_tuning/jobs/${id}`);
    return holds(answer.body) ? answer.body : undefined;
  }, timeoutMs);
}

/** Accuracy of a served binary classifier over examples, through OIP v2 infer. */
export async function oipAccuracy(url: string, key: string, model: string, examples: readonly RuleExample[]) {
  const answer = await requestJson(`${url}/v2/models/${encodeURIComponent(model)}/infer`, {
    headers: bearer(key),
    body: {
      inputs: [
        {
          name: 'input',
          datatype: 'FP32',
          shape: [examples.length, examples[0]!.input.length],
          data: examples.flatMap((example) => example.input),
        },
      ],
    },
  });
  if (answer.status !== 200) throw new Error(`infer failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  const probabilities = answer.body.outputs[0].data as number[];
  const correct = examples.filter(
    (example, index) => (probabilities[index]! > 0.5 ? 1 : 0) === example.label,
  );
  return correct.length / examples.length;
}
