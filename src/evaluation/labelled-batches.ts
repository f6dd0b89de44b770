import { ValidationError } from '../errors/index.js';

/** One labelled example: the model's input features and the true class. */
export interface LabelledExample {
  /** The features, e.g. 100 numbers for ref-classify. */
  input: ArrayLike<number>;
  label: 0 | 1;
}

/** The examples, as an array or any (async) iterable, read as the evaluation goes. */
export type LabelledData = Iterable<LabelledExample> | AsyncIterable<LabelledExample>;

/** A batch: its features as one row-major Float32Array, its labels, and where it starts in the data. */
export interface LabelledBatch {
  readonly offset: number;
  readonly features: Float32Array;
  readonly labels: readonly (0 | 1)[];
  readonly width: number;
}

function invalid(path: string, message: string): never {
  throw new ValidationError(`Invalid evaluation data: ${path}: ${message}`, {
    issues: [{ path, message }],
    subject: 'request',
  });
}

function checkedExample(example: unknown, index: number, width: number | undefined): LabelledExample {
  if (typeof example !== 'object' || example === null) invalid(`data.${index}`, 'expected { input, label }');
  const { input, label } = example as Partial<LabelledExample>;
  if (label !== 0 && label !== 1) invalid(`data.${index}.label`, `expected 0 or 1, got ${String(label)}`);
  if (typeof input !== 'object' || input === null || typeof input.length !== 'number') {
    invalid(`data.${index}.input`, 'expected an array of numbers');
  }
  if (input.length === 0) invalid(`data.${index}.input`, 'expected at least one number');
  if (width !== undefined && input.length !== width) {
    invalid(`data.${index}.input`, `has ${input.length} numbers, but the first example has ${width}`);
  }
  for (let column = 0; column < input.length; column++) {
    const value = input[column];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      invalid(`data.${index}.input.${column}`, `expected a finite number, got ${String(value)}`);
    }
  }
  return { input, label };
}

/**
 * Reads labelled examples in batches of `batchSize`, checking each as it comes: every input has
 * the first one's length, every label is 0 or 1. A bad example is a `ValidationError` naming it.
 */
export async function* labelledBatches(data: LabelledData, batchSize: number): AsyncGenerator<LabelledBatch> {
  let width: number | undefined;
  let offset = 0;
  let pending: LabelledExample[] = [];
  const flush = (): LabelledBatch => {
    const rowWidth = width ?? 0;
    const features = new Float32Array(pending.length * rowWidth);
    for (const [row, example] of pending.entries()) features.set(example.input, row * rowWidth);
    const batch = { offset, features, labels: pending.map((example) => example.label), width: rowWidth };
    offset += pending.length;
    pending = [];
    return batch;
  };
  for await (const example of data) {
    const checked = checkedExample(example, offset + pending.length, width);
    width ??= checked.input.length;
    pending.push(checked);
    if (pending.length === batchSize) yield flush();
  }
  if (pending.length > 0) yield flush();
  if (offset === 0) invalid('data', 'no examples to evaluate');
}
