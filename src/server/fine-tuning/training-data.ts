import { hashedBagOfWords } from '../models/sentiment-features.js';
import type { LossName, TrainingExamples } from '../training/training-contract.js';

/** What each line of a training file must hold for one job's network. */
export interface DataShape {
  inputDim: number;
  outputUnits: number;
  loss: LossName;
  /** `input` may be text, turned into ref-classify's hashed bag of words. */
  acceptsText: boolean;
}

/** Why a training or validation file cannot be trained on; fails the job with OpenAI's error object. */
export class TrainingDataError extends Error {
  override name = 'TrainingDataError';
  constructor(
    message: string,
    readonly param: 'training_file' | 'validation_file',
    readonly code = 'invalid_training_file',
  ) {
    super(message);
  }
}

type LineProblem = string | undefined;

function inputProblem(input: unknown, shape: DataShape, row: Float32Array): LineProblem {
  if (typeof input === 'string') {
    if (!shape.acceptsText) return `'input' is text; this model takes ${shape.inputDim} numbers`;
    row.set(hashedBagOfWords(input, shape.inputDim));
    return undefined;
  }
  if (!Array.isArray(input))
    return `'input' must be an array of ${shape.inputDim} numbers${shape.acceptsText ? ' or text' : ''}`;
  if (input.length !== shape.inputDim)
    return `'input' has ${input.length} numbers; the model takes ${shape.inputDim}`;
  for (let index = 0; index < input.length; index++) {
    const value = input[index];
    if (typeof value !== 'number' || !Number.isFinite(value))
      return `'input[${index}]' is ${JSON.stringify(value)}, not a finite number`;
    row[index] = value;
  }
  return undefined;
}

/**
 * Fills one target row: a sigmoid unit takes 0 or 1; softmax units a class index or a one-hot
 * array; mse a number (one unit) or an array of numbers (one per unit).
 */
function labelProblem(label: unknown, shape: DataShape, target: Float32Array): LineProblem {
  const units = shape.outputUnits;
  if (shape.loss === 'binary_crossentropy') {
    if (label !== 0 && label !== 1) return `'label' must be 0 or 1, got ${JSON.stringify(label)}`;
    target[0] = label;
    return undefined;
  }
  if (shape.loss === 'categorical_crossentropy') {
    if (typeof label === 'number') {
      if (!Number.isInteger(label) || label < 0 || label >= units)
        return `'label' must be a class index from 0 to ${units - 1}, got ${label}`;
      target[label] = 1;
      return undefined;
    }
    const oneHot =
      Array.isArray(label) &&
      label.length === units &&
      label.every((value) => value === 0 || value === 1) &&
      label.filter((value) => value === 1).length === 1;
    if (!oneHot) return `'label' must be a class index or a one-hot array of ${units} numbers`;
    target.set(label as number[]);
    return undefined;
  }
  const values = typeof label === 'number' && units === 1 ? [label] : label;
  if (!Array.isArray(values) || values.length !== units || !values.every((v) => Number.isFinite(v)))
    return units === 1
      ? `'label' must be a number, got ${JSON.stringify(label)}`
      : `'label' must be an array of ${units} numbers`;
  target.set(values as number[]);
  return undefined;
}

/** The distinct classes the targets hold, for the one-class check. */
function classesOf(examples: TrainingExamples, shape: DataShape): Set<number> {
  const classes = new Set<number>();
  for (let row = 0; row < examples.rows; row++) {
    const target = examples.targets.subarray(row * shape.outputUnits, (row + 1) * shape.outputUnits);
    classes.add(shape.outputUnits === 1 ? target[0]! : target.indexOf(1));
  }
  return classes;
}

/** Lines parsed between two turns of the event loop, so a large file never holds it up for long. */
const linesPerTurn = 2000;

function countLines(bytes: Buffer): number {
  let lines = 1;
  for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) lines += 1;
  return lines;
}

/**
 * Reads a JSONL training file (`{"input": ..., "label": ...}` per line; blank lines skipped)
 * into the trainer's matrices, line by line and yielding to the event loop as it goes. The first
 * bad line fails the whole file, named with its line number and what is wrong; so does an empty
 * file and a classifier's file of one class.
 *
 * @example
 * (await parseTrainingFile(bytes, 'file-abc', shape, 'training_file')).rows; // 200
 */
export async function parseTrainingFile(
  bytes: Buffer,
  fileId: string,
  shape: DataShape,
  param: 'training_file' | 'validation_file',
): Promise<TrainingExamples> {
  const lineCount = countLines(bytes);
  const inputs = new Float32Array(lineCount * shape.inputDim);
  const targets = new Float32Array(lineCount * shape.outputUnits);
  let rows = 0;
  const fail = (line: number, problem: string) => {
    throw new TrainingDataError(`${param} ${fileId}, line ${line}: ${problem}.`, param);
  };
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    const newline = bytes.indexOf(10, start);
    const end = newline < 0 ? bytes.length : newline;
    const text = bytes.toString('utf8', start, end).trim();
    start = end + 1;
    if (line % linesPerTurn === 0) await new Promise((resolve) => setImmediate(resolve));
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      fail(line, `not valid JSON (${(error as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      fail(line, 'not a JSON object with "input" and "label"');
    const { input, label } = value as { input?: unknown; label?: unknown };
    if (input === undefined || label === undefined) fail(line, 'needs both "input" and "label"');
    const row = inputs.subarray(rows * shape.inputDim, (rows + 1) * shape.inputDim);
    const target = targets.subarray(rows * shape.outputUnits, (rows + 1) * shape.outputUnits);
    const problem = inputProblem(input, shape, row) ?? labelProblem(label, shape, target);
    if (problem !== undefined) fail(line, problem);
    rows += 1;
  }
  if (rows === 0)
    throw new TrainingDataError(`${param} ${fileId} holds no examples (the file is empty).`, param);
  const examples = {
    rows,
    inputs: inputs.slice(0, rows * shape.inputDim),
    targets: targets.slice(0, rows * shape.outputUnits),
  };
  const classes = shape.loss === 'mse' ? undefined : classesOf(examples, shape);
  if (param === 'training_file' && classes !== undefined && classes.size < 2)
    throw new TrainingDataError(
      `${param} ${fileId}: every example has the same label (class ${[...classes][0]}); a classifier needs examples of at least two classes.`,
      param,
    );
  return examples;
}
