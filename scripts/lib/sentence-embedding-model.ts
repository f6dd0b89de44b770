import { buildOnnxModel, floatTensor, int64Tensor } from './onnx-model-builder.js';
import { secondMoment, symmetricEigen } from './principal-components.js';

/**
 * SIF weights (Arora et al., 2017): a / (a + p(token)), so frequent tokens ("the", ",") count
 * little in a sentence's average and rare, meaningful ones count fully. Ids with no count get 0.
 */
export function smoothInverseFrequencyWeights(counts: Float64Array, a: number): Float32Array {
  const total = counts.reduce((sum, count) => sum + count, 0);
  return Float32Array.from(counts, (count) => (count === 0 ? 0 : a / (a + count / total)));
}

/** Token vectors scaled by their weights: the weighted average becomes a plain masked mean in the graph. */
export function weightedTokenTable(
  vectors: Float32Array,
  weights: Float32Array,
  dimensions: number,
): Float32Array {
  return Float32Array.from(vectors, (value, index) => value * weights[Math.floor(index / dimensions)]!);
}

/** Mean of the table rows of each sentence's ids (zero for an empty sentence), in float64. */
export function meanVectors(
  table: Float32Array,
  sentences: readonly Int32Array[],
  dimensions: number,
): Float64Array {
  const means = new Float64Array(sentences.length * dimensions);
  sentences.forEach((sentence, row) => {
    for (const id of sentence) {
      for (let dimension = 0; dimension < dimensions; dimension++) {
        means[row * dimensions + dimension]! += table[id * dimensions + dimension]!;
      }
    }
    for (let dimension = 0; dimension < dimensions; dimension++) {
      means[row * dimensions + dimension]! /= Math.max(1, sentence.length);
    }
  });
  return means;
}

/**
 * The output projection, `dimensions x dimensions` (row-major, applied as mean x P): first remove
 * the common component (the top singular direction of the corpus's sentence means, which every
 * sentence shares and which says nothing about meaning, as in SIF), then rotate onto the
 * principal axes of what is left, largest variance first. The rotation leaves cosines unchanged
 * but orders the dimensions, so a truncated embedding keeps the most informative ones.
 */
export function fitProjection(means: Float64Array, count: number, dimensions: number): Float32Array {
  const common = symmetricEigen(secondMoment(means, count, dimensions), dimensions).vectors.subarray(
    0,
    dimensions,
  );
  const removed = Float64Array.from(means);
  for (let row = 0; row < count; row++) {
    let dot = 0;
    for (let dimension = 0; dimension < dimensions; dimension++)
      dot += removed[row * dimensions + dimension]! * common[dimension]!;
    for (let dimension = 0; dimension < dimensions; dimension++)
      removed[row * dimensions + dimension]! -= dot * common[dimension]!;
  }
  const axes = symmetricEigen(secondMoment(removed, count, dimensions), dimensions).vectors;
  // P = (I - u u^T) R, where column k of R is the k-th principal axis.
  const projection = new Float32Array(dimensions * dimensions);
  for (let row = 0; row < dimensions; row++) {
    for (let column = 0; column < dimensions; column++) {
      let value = 0;
      for (let k = 0; k < dimensions; k++) {
        const identityMinusCommon = (row === k ? 1 : 0) - common[row]! * common[k]!;
        value += identityMinusCommon * axes[column * dimensions + k]!;
      }
      projection[row * dimensions + column] = value;
    }
  }
  return projection;
}

/**
 * The ONNX graph: `input_ids` and `attention_mask` int64 [batch, sequence] -> masked mean of the
 * weighted token vectors -> projection -> L2 normalisation -> `embeddings` float32 [batch, dimensions].
 */
export function sentenceEmbeddingOnnx(
  table: Float32Array,
  projection: Float32Array,
  vocabSize: number,
  dimensions: number,
  metadata: Record<string, string>,
): Uint8Array {
  const floatType = 1;
  return buildOnnxModel({
    name: 'ref-embed',
    description: 'Weighted mean of token vectors, projected and L2-normalised (aiaas reference model).',
    inputs: [
      { name: 'input_ids', type: 'int64', shape: ['batch', 'sequence'] },
      { name: 'attention_mask', type: 'int64', shape: ['batch', 'sequence'] },
    ],
    outputs: [{ name: 'embeddings', type: 'float', shape: ['batch', dimensions] }],
    initializers: [
      floatTensor('token_vectors', [vocabSize, dimensions], table),
      floatTensor('projection', [dimensions, dimensions], projection),
      int64Tensor('sequence_axis', [1], [1]),
      int64Tensor('feature_axis', [1], [2]),
      floatTensor('one', [1], Float32Array.of(1)),
      floatTensor('epsilon', [1], Float32Array.of(1e-12)),
    ],
    nodes: [
      {
        opType: 'Gather',
        inputs: ['token_vectors', 'input_ids'],
        outputs: ['embedded'],
        attributes: { axis: 0 },
      },
      { opType: 'Cast', inputs: ['attention_mask'], outputs: ['mask'], attributes: { to: floatType } },
      { opType: 'Unsqueeze', inputs: ['mask', 'feature_axis'], outputs: ['mask_3d'] },
      { opType: 'Mul', inputs: ['embedded', 'mask_3d'], outputs: ['masked'] },
      {
        opType: 'ReduceSum',
        inputs: ['masked', 'sequence_axis'],
        outputs: ['summed'],
        attributes: { keepdims: 0 },
      },
      {
        opType: 'ReduceSum',
        inputs: ['mask', 'sequence_axis'],
        outputs: ['token_count'],
        attributes: { keepdims: 1 },
      },
      // An all-padding row would divide by zero; its mean is simply zero.
      { opType: 'Max', inputs: ['token_count', 'one'], outputs: ['safe_count'] },
      { opType: 'Div', inputs: ['summed', 'safe_count'], outputs: ['mean'] },
      { opType: 'MatMul', inputs: ['mean', 'projection'], outputs: ['projected'] },
      {
        opType: 'ReduceL2',
        inputs: ['projected'],
        outputs: ['norm'],
        attributes: { axes: [1], keepdims: 1 },
      },
      { opType: 'Max', inputs: ['norm', 'epsilon'], outputs: ['safe_norm'] },
      { opType: 'Div', inputs: ['projected', 'safe_norm'], outputs: ['embeddings'] },
    ],
    metadata,
  });
}
