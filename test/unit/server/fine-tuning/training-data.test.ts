import { describe, expect, it } from 'vitest';
import { type DataShape, parseTrainingFile } from '../../../../src/server/fine-tuning/training-data.js';
import { hashedBagOfWords } from '../../../../src/server/models/sentiment-features.js';

const binary: DataShape = { inputDim: 3, outputUnits: 1, loss: 'binary_crossentropy', acceptsText: false };
const softmax: DataShape = {
  inputDim: 2,
  outputUnits: 3,
  loss: 'categorical_crossentropy',
  acceptsText: false,
};
const regression: DataShape = { inputDim: 2, outputUnits: 2, loss: 'mse', acceptsText: false };

const parse = (text: string, shape: DataShape) =>
  parseTrainingFile(Buffer.from(text), 'file-t', shape, 'training_file');
const lines = (...rows: unknown[]) => rows.map((row) => JSON.stringify(row)).join('\r\n');

describe('parseTrainingFile', () => {
  it('reads numbers and labels into row-major matrices, skipping blank lines (CRLF too)', async () => {
    const examples = await parse(
      `${lines({ input: [1, 2, 3], label: 1 })}\r\n\r\n${lines({ input: [4, 5, 6], label: 0 })}`,
      binary,
    );
    expect(examples.rows).toBe(2);
    expect([...examples.inputs]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...examples.targets]).toEqual([1, 0]);
  });

  it("turns text into ref-classify's hashed bag of words when the model takes text", async () => {
    const shape: DataShape = {
      inputDim: 100,
      outputUnits: 1,
      loss: 'binary_crossentropy',
      acceptsText: true,
    };
    const examples = await parse(
      lines({ input: 'a fine day', label: 1 }, { input: 'awful', label: 0 }),
      shape,
    );
    expect(examples.inputs.subarray(0, 100)).toEqual(hashedBagOfWords('a fine day', 100));
    await expect(parse(lines({ input: 'text', label: 1 }), binary)).rejects.toThrow(
      /line 1: 'input' is text; this model takes 3 numbers/,
    );
  });

  it('takes a class index or a one-hot array for softmax, and refuses anything else', async () => {
    const examples = await parse(
      lines({ input: [0, 0], label: 2 }, { input: [1, 1], label: [1, 0, 0] }),
      softmax,
    );
    expect([...examples.targets]).toEqual([0, 0, 1, 1, 0, 0]);
    await expect(parse(lines({ input: [0, 0], label: 3 }), softmax)).rejects.toThrow(
      /class index from 0 to 2, got 3/,
    );
    await expect(parse(lines({ input: [0, 0], label: [1, 1, 0] }), softmax)).rejects.toThrow(/one-hot/);
    await expect(
      parse(lines({ input: [0, 0], label: 1 }, { input: [1, 0], label: [0, 1, 0] }), softmax),
    ).rejects.toThrow(/same label \(class 1\)/);
  });

  it('takes numbers for mse, one per output unit, of a single value too', async () => {
    const examples = await parse(
      lines({ input: [0, 1], label: [0.5, -2] }, { input: [1, 1], label: [3, 3] }),
      regression,
    );
    expect([...examples.targets]).toEqual([0.5, -2, 3, 3]);
    await expect(parse(lines({ input: [0, 1], label: 0.5 }), regression)).rejects.toThrow(
      /array of 2 numbers/,
    );
  });

  it('names the line and the problem: missing fields, non-finite numbers, not an object', async () => {
    await expect(parse(lines({ input: [1, 2, 3], label: 1 }, { input: [1, 2, 3] }), binary)).rejects.toThrow(
      /training_file file-t, line 2: needs both "input" and "label"/,
    );
    await expect(parse(lines({ input: [1, 'x', 3], label: 1 }), binary)).rejects.toThrow(
      /'input\[1\]' is "x"/,
    );
    await expect(parse('[1, 2]', binary)).rejects.toThrow(/line 1: not a JSON object/);
  });

  it('lets a validation file hold one class (it is only measured on)', async () => {
    const valid = await parseTrainingFile(
      Buffer.from(lines({ input: [1, 2, 3], label: 1 })),
      'file-v',
      binary,
      'validation_file',
    );
    expect(valid.rows).toBe(1);
  });
});
