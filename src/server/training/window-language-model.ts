import { accumulateProduct, accumulateTransposedProduct, multiplyByTransposed } from './dense-kernels.js';
import { uniformArray } from './random-arrays.js';

export interface WindowLanguageModelShape {
  /** Must equal classCount * classSize. */
  vocabSize: number;
  contextLength: number;
  embeddingSize: number;
  hiddenSize: number;
  classCount: number;
  classSize: number;
}

/**
 * A fixed-window neural language model (Bengio et al., 2003): the embeddings of the last
 * `contextLength` tokens, concatenated, feed one tanh layer. Its output is a class-factored
 * softmax (Goodman, 2001; Mikolov et al., 2011): the vocabulary, sorted by frequency, is cut into
 * `classCount` blocks of `classSize` ids, and p(token) = p(block) * p(token | block). Training then
 * touches one block per example instead of the whole vocabulary (about 30 times less work), while the
 * exported graph still returns a full, normalised row of log-probabilities as `logits`.
 */
export class WindowLanguageModel {
  readonly shape: WindowLanguageModelShape;
  readonly embeddings: Float32Array;
  /** hiddenSize x (contextLength * embeddingSize). */
  readonly hiddenWeights: Float32Array;
  readonly hiddenBias: Float32Array;
  /** classCount x hiddenSize. */
  readonly classWeights: Float32Array;
  readonly classBias: Float32Array;
  /** vocabSize x hiddenSize. */
  readonly tokenWeights: Float32Array;
  readonly tokenBias: Float32Array;

  /** A model with the given weights (same order as `parameters`; e.g. read back from ONNX). */
  constructor(shape: WindowLanguageModelShape, parameters: readonly Float32Array[]) {
    checkWindowShape(shape);
    const expected = windowParameterShapes(shape);
    if (parameters.length !== expected.length)
      throw new RangeError(
        `a window language model has ${expected.length} parameter arrays, not ${parameters.length}`,
      );
    parameters.forEach((values, index) => {
      const size = expected[index]!.reduce((product, length) => product * length, 1);
      if (values.length !== size)
        throw new RangeError(
          `parameter ${index} has ${values.length} values, not ${size} ([${expected[index]}])`,
        );
    });
    this.shape = shape;
    [
      this.embeddings,
      this.hiddenWeights,
      this.hiddenBias,
      this.classWeights,
      this.classBias,
      this.tokenWeights,
      this.tokenBias,
    ] = parameters as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
  }

  /** A new model: uniform random weights, biases starting from the unigram distribution of the data. */
  static initialize(
    shape: WindowLanguageModelShape,
    random: () => number,
    unigramCounts: Float64Array,
  ): WindowLanguageModel {
    checkWindowShape(shape);
    const { vocabSize, contextLength, embeddingSize, hiddenSize, classCount, classSize } = shape;
    const windowSize = contextLength * embeddingSize;
    const embeddings = uniformArray(vocabSize * embeddingSize, 0.1, random);
    const hiddenWeights = uniformArray(
      hiddenSize * windowSize,
      Math.sqrt(6 / (windowSize + hiddenSize)),
      random,
    );
    const hiddenBias = new Float32Array(hiddenSize);
    const classWeights = uniformArray(
      classCount * hiddenSize,
      Math.sqrt(6 / (classCount + hiddenSize)),
      random,
    );
    const tokenWeights = uniformArray(
      vocabSize * hiddenSize,
      Math.sqrt(6 / (classSize + hiddenSize)),
      random,
    );
    // Starting from the unigram distribution spares the first steps from learning token frequencies.
    const smoothed = Float64Array.from(unigramCounts, (count) => count + 1);
    const classMass = new Float64Array(classCount);
    smoothed.forEach((count, id) => {
      classMass[Math.floor(id / classSize)]! += count;
    });
    const total = classMass.reduce((sum, mass) => sum + mass, 0);
    const classBias = Float32Array.from(classMass, (mass) => Math.log(mass / total));
    const tokenBias = Float32Array.from(smoothed, (count, id) =>
      Math.log(count / classMass[Math.floor(id / classSize)]!),
    );
    return new WindowLanguageModel(shape, [
      embeddings,
      hiddenWeights,
      hiddenBias,
      classWeights,
      classBias,
      tokenWeights,
      tokenBias,
    ]);
  }

  get parameters(): Float32Array[] {
    return [
      this.embeddings,
      this.hiddenWeights,
      this.hiddenBias,
      this.classWeights,
      this.classBias,
      this.tokenWeights,
      this.tokenBias,
    ];
  }

  /** Scratch buffers for a batch of `rows` windows, reused across steps. */
  createWorkspace(rows: number): WindowLanguageModelWorkspace {
    const { contextLength, embeddingSize, hiddenSize, classCount, classSize } = this.shape;
    return {
      window: new Float32Array(rows * contextLength * embeddingSize),
      hidden: new Float32Array(rows * hiddenSize),
      classLogits: new Float32Array(rows * classCount),
      tokenLogits: new Float32Array(classSize),
      hiddenGradient: new Float32Array(rows * hiddenSize),
      windowGradient: new Float32Array(rows * contextLength * embeddingSize),
      transposeScratch: new Float32Array(rows * Math.max(classCount, hiddenSize)),
      gradients: this.parameters.map((parameter) => new Float32Array(parameter.length)),
    };
  }

  /**
   * Forward, cross-entropy and backward for `rows` examples; leaves the mean gradients in
   * `workspace.gradients` (same order as `parameters`) and returns the summed loss (nats).
   */
  lossAndGradients(
    contexts: Int32Array,
    targets: Int32Array,
    rows: number,
    workspace: WindowLanguageModelWorkspace,
  ): number {
    const { contextLength, embeddingSize, hiddenSize, classCount, classSize } = this.shape;
    const windowSize = contextLength * embeddingSize;
    const { window, hidden, classLogits, tokenLogits, hiddenGradient, windowGradient } = workspace;
    const [
      embeddingGradient,
      hiddenWeightGradient,
      hiddenBiasGradient,
      classWeightGradient,
      classBiasGradient,
      tokenWeightGradient,
      tokenBiasGradient,
    ] = workspace.gradients as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    for (const gradient of workspace.gradients) gradient.fill(0);
    hiddenGradient.fill(0);
    windowGradient.fill(0);

    for (let row = 0; row < rows; row++) {
      for (let slot = 0; slot < contextLength; slot++) {
        const id = contexts[row * contextLength + slot]!;
        window.set(
          this.embeddings.subarray(id * embeddingSize, (id + 1) * embeddingSize),
          row * windowSize + slot * embeddingSize,
        );
      }
    }
    multiplyByTransposed(window, this.hiddenWeights, hidden, rows, windowSize, hiddenSize, this.hiddenBias);
    for (let index = 0; index < rows * hiddenSize; index++) hidden[index] = Math.tanh(hidden[index]!);
    multiplyByTransposed(
      hidden,
      this.classWeights,
      classLogits,
      rows,
      hiddenSize,
      classCount,
      this.classBias,
    );

    let loss = 0;
    for (let row = 0; row < rows; row++) {
      const target = targets[row]!;
      const targetClass = Math.floor(target / classSize);
      // p(class): softmax over the class logits, turned in place into its gradient.
      loss -= softmaxToGradient(classLogits, row * classCount, classCount, targetClass, rows);
      // p(token | class): only the target's block of the vocabulary.
      const first = targetClass * classSize;
      const hiddenOffset = row * hiddenSize;
      for (let slot = 0; slot < classSize; slot++) {
        const weightOffset = (first + slot) * hiddenSize;
        let sum = this.tokenBias[first + slot]!;
        for (let unit = 0; unit < hiddenSize; unit++)
          sum += this.tokenWeights[weightOffset + unit]! * hidden[hiddenOffset + unit]!;
        tokenLogits[slot] = sum;
      }
      loss -= softmaxToGradient(tokenLogits, 0, classSize, target - first, rows);
      for (let slot = 0; slot < classSize; slot++) {
        const gradient = tokenLogits[slot]!;
        const weightOffset = (first + slot) * hiddenSize;
        tokenBiasGradient[first + slot]! += gradient;
        for (let unit = 0; unit < hiddenSize; unit++) {
          tokenWeightGradient[weightOffset + unit]! += gradient * hidden[hiddenOffset + unit]!;
          hiddenGradient[hiddenOffset + unit]! += gradient * this.tokenWeights[weightOffset + unit]!;
        }
      }
    }

    accumulateTransposedProduct(
      classLogits,
      hidden,
      classWeightGradient,
      rows,
      classCount,
      hiddenSize,
      workspace.transposeScratch,
    );
    for (let index = 0; index < rows * classCount; index++)
      classBiasGradient[index % classCount]! += classLogits[index]!;
    accumulateProduct(classLogits, this.classWeights, hiddenGradient, rows, classCount, hiddenSize);
    for (let index = 0; index < rows * hiddenSize; index++) {
      const activation = hidden[index]!;
      hiddenGradient[index]! *= 1 - activation * activation;
      hiddenBiasGradient[index % hiddenSize]! += hiddenGradient[index]!;
    }
    accumulateTransposedProduct(
      hiddenGradient,
      window,
      hiddenWeightGradient,
      rows,
      hiddenSize,
      windowSize,
      workspace.transposeScratch,
    );
    accumulateProduct(hiddenGradient, this.hiddenWeights, windowGradient, rows, hiddenSize, windowSize);
    for (let row = 0; row < rows; row++) {
      for (let slot = 0; slot < contextLength; slot++) {
        const id = contexts[row * contextLength + slot]!;
        const source = row * windowSize + slot * embeddingSize;
        for (let dimension = 0; dimension < embeddingSize; dimension++) {
          embeddingGradient[id * embeddingSize + dimension]! += windowGradient[source + dimension]!;
        }
      }
    }
    return loss;
  }
}

/**
 * Softmax of `length` values at `offset`, replaced in place by d(-log p[target])/d(logit) divided by
 * `rows` (the batch mean); returns log p[target].
 */
function softmaxToGradient(
  values: Float32Array,
  offset: number,
  length: number,
  target: number,
  rows: number,
): number {
  let maximum = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < length; index++) maximum = Math.max(maximum, values[offset + index]!);
  let sum = 0;
  for (let index = 0; index < length; index++) {
    const value = Math.exp(values[offset + index]! - maximum);
    values[offset + index] = value;
    sum += value;
  }
  const logProbability = Math.log(values[offset + target]! / sum);
  const scale = 1 / (sum * rows);
  for (let index = 0; index < length; index++) values[offset + index]! *= scale;
  values[offset + target]! -= 1 / rows;
  return logProbability;
}

export interface WindowLanguageModelWorkspace {
  window: Float32Array;
  hidden: Float32Array;
  classLogits: Float32Array;
  tokenLogits: Float32Array;
  hiddenGradient: Float32Array;
  windowGradient: Float32Array;
  transposeScratch: Float32Array;
  gradients: Float32Array[];
}

function checkWindowShape(shape: WindowLanguageModelShape): void {
  if (shape.classCount * shape.classSize !== shape.vocabSize)
    throw new RangeError(
      `vocabSize ${shape.vocabSize} is not ${shape.classCount} classes of ${shape.classSize}`,
    );
}

/** The shape of each parameter array, in `parameters` order (weights row-major, `out x in`). */
export function windowParameterShapes(shape: WindowLanguageModelShape): number[][] {
  const { vocabSize, contextLength, embeddingSize, hiddenSize, classCount } = shape;
  return [
    [vocabSize, embeddingSize],
    [hiddenSize, contextLength * embeddingSize],
    [hiddenSize],
    [classCount, hiddenSize],
    [classCount],
    [vocabSize, hiddenSize],
    [vocabSize],
  ];
}
