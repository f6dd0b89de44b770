import { readFileSync } from 'node:fs';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../src/server/generation/seeded-random.js';
import { builtInModelFile } from '../../../../src/server/models/model-files.js';
import { refChatShape } from '../../../../src/server/models/ref-chat-base.js';
import { buildContextWindows, toInt64 } from '../../../../src/server/training/context-windows.js';
import { trainWindowModel } from '../../../../src/server/training/train-window-model.js';
import {
  WindowLanguageModel,
  type WindowLanguageModelShape,
} from '../../../../src/server/training/window-language-model.js';
import {
  windowLogProbabilities,
  windowMeanNegativeLogLikelihood,
  windowTokenAccuracy,
} from '../../../../src/server/training/window-model-forward.js';
import { windowModelFromOnnx, windowModelToOnnx } from '../../../../src/server/training/window-model-onnx.js';

const small: WindowLanguageModelShape = {
  vocabSize: 48,
  contextLength: 3,
  embeddingSize: 4,
  hiddenSize: 6,
  classCount: 6,
  classSize: 8,
};

function smallModel(seed: number): WindowLanguageModel {
  const random = new SeededRandom(seed);
  const counts = Float64Array.from({ length: small.vocabSize }, (_, id) => (id * 7) % 11);
  return WindowLanguageModel.initialize(small, random.next, counts);
}

/** Documents of a repeating pattern, so a trained model can predict them. */
function patternDocuments(count: number): Int32Array[] {
  return Array.from({ length: count }, (_, index) =>
    Int32Array.from({ length: 12 }, (_, position) => (index + position * 5) % 40),
  );
}

const meta = { name: 'window-test', producer: 'aiaas-test', description: 'a small window model' };

describe('window language model ONNX', () => {
  it('reads back exactly the weights it wrote', () => {
    const model = smallModel(3);
    const read = windowModelFromOnnx(windowModelToOnnx(model, meta), small);
    for (const [index, values] of read.parameters.entries()) expect(values).toEqual(model.parameters[index]);
  });

  it('runs in onnxruntime to the in-process forward pass within 1e-5', async () => {
    const model = smallModel(5);
    const windows = buildContextWindows(patternDocuments(4), small.contextLength, small.vocabSize - 1);
    const session = await InferenceSession.create(windowModelToOnnx(model, meta));
    try {
      const feeds = {
        context: new Tensor('int64', toInt64(windows.contexts), [windows.count, small.contextLength]),
      };
      const { logits } = await session.run(feeds);
      const expected = windowLogProbabilities(model, windows.contexts, windows.count);
      const actual = logits!.data as Float32Array;
      expect(actual.length).toBe(expected.length);
      let largest = 0;
      for (let index = 0; index < actual.length; index++)
        largest = Math.max(largest, Math.abs(actual[index]! - expected[index]!));
      expect(largest).toBeLessThan(1e-5);
    } finally {
      await session.release();
    }
  });

  it("writes ref-chat's own weights back to the byte-identical file", () => {
    const bytes = new Uint8Array(readFileSync(builtInModelFile('ref-chat')));
    const shape = refChatShape();
    const model = windowModelFromOnnx(bytes, shape);
    const written = windowModelToOnnx(model, {
      name: 'ref-chat',
      producer: 'aiaas-scripts',
      description:
        'Fixed-window neural language model over a local o200k vocabulary (aiaas reference model).',
      metadata: {
        'aiaas.model': 'ref-chat',
        'aiaas.context_length': String(shape.contextLength),
        'aiaas.vocab_size': String(shape.vocabSize),
      },
    });
    expect(Buffer.compare(Buffer.from(written), Buffer.from(bytes))).toBe(0);
  });

  it('refuses a file whose weights do not have the shape asked for', () => {
    const bytes = windowModelToOnnx(smallModel(1), meta);
    expect(() => windowModelFromOnnx(bytes, { ...small, hiddenSize: 7 })).toThrow(
      /hidden_weights is not float32 \[7,12\]/,
    );
  });
});

describe('trainWindowModel', () => {
  it('lowers the mean negative log-likelihood of its data, the same for the same seed', () => {
    const windows = buildContextWindows(patternDocuments(12), small.contextLength, small.vocabSize - 1);
    const schedule = { epochs: 15, batchSize: 16, learningRate: 0.01, finalLearningRateFraction: 1 };
    const train = (seed: number) => {
      const model = smallModel(7);
      trainWindowModel(model, new SeededRandom(seed), windows, undefined, schedule);
      return model;
    };
    const before = windowMeanNegativeLogLikelihood(smallModel(7), windows);
    const first = train(11);
    const after = windowMeanNegativeLogLikelihood(first, windows);
    expect(after).toBeLessThan(before * 0.6);
    expect(windowTokenAccuracy(first, windows)).toBeGreaterThan(windowTokenAccuracy(smallModel(7), windows));
    const again = train(11);
    for (const [index, values] of again.parameters.entries()) expect(values).toEqual(first.parameters[index]);
  });

  it('stops with an AbortError between batches', () => {
    const windows = buildContextWindows(patternDocuments(4), small.contextLength, small.vocabSize - 1);
    const schedule = { epochs: 3, batchSize: 4, learningRate: 0.01, finalLearningRateFraction: 1 };
    expect(() =>
      trainWindowModel(smallModel(2), new SeededRandom(1), windows, undefined, schedule, {
        signal: { aborted: true },
      }),
    ).toThrow(expect.objectContaining({ name: 'AbortError' }));
  });
});
