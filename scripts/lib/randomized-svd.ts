import { symmetricEigen } from './principal-components.js';

/** Modified Gram-Schmidt on the columns of a row-major `rows x columns` matrix, in place. */
function orthonormalizeColumns(matrix: Float64Array, rows: number, columns: number): Float64Array {
  for (let column = 0; column < columns; column++) {
    for (let previous = 0; previous < column; previous++) {
      let dot = 0;
      for (let row = 0; row < rows; row++)
        dot += matrix[row * columns + column]! * matrix[row * columns + previous]!;
      for (let row = 0; row < rows; row++)
        matrix[row * columns + column]! -= dot * matrix[row * columns + previous]!;
    }
    let norm = 0;
    for (let row = 0; row < rows; row++) norm += matrix[row * columns + column]! ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let row = 0; row < rows; row++) matrix[row * columns + column]! *= scale;
  }
  return matrix;
}

/** A (rows x columns, mostly zeros) times Z (columns x width). */
function multiply(
  a: Float32Array,
  rows: number,
  columns: number,
  z: Float64Array,
  width: number,
): Float64Array {
  const out = new Float64Array(rows * width);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const value = a[row * columns + column]!;
      if (value === 0) continue;
      for (let k = 0; k < width; k++) out[row * width + k]! += value * z[column * width + k]!;
    }
  }
  return out;
}

/** A transposed (A is rows x columns) times Q (rows x width). */
function multiplyTransposed(
  a: Float32Array,
  rows: number,
  columns: number,
  q: Float64Array,
  width: number,
): Float64Array {
  const out = new Float64Array(columns * width);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const value = a[row * columns + column]!;
      if (value === 0) continue;
      for (let k = 0; k < width; k++) out[column * width + k]! += value * q[row * width + k]!;
    }
  }
  return out;
}

/**
 * The top `rank` left singular vectors and singular values of A by randomized SVD (Halko,
 * Martinsson & Tropp, 2011): a seeded random sketch of A's range, sharpened by power
 * iterations, then an exact SVD of the small projected matrix.
 */
export function randomizedSvd(
  a: Float32Array,
  rows: number,
  columns: number,
  rank: number,
  random: () => number,
  oversampling = 16,
  powerIterations = 3,
): { left: Float64Array; singularValues: Float64Array } {
  const width = rank + oversampling;
  let q = orthonormalizeColumns(
    Float64Array.from({ length: rows * width }, () => random() - 0.5),
    rows,
    width,
  );
  for (let iteration = 0; iteration < powerIterations; iteration++) {
    const z = orthonormalizeColumns(multiplyTransposed(a, rows, columns, q, width), columns, width);
    q = orthonormalizeColumns(multiply(a, rows, columns, z, width), rows, width);
  }
  // With B = A^T Q, the eigenvectors of B^T B are the left singular vectors of Q^T A.
  const b = multiplyTransposed(a, rows, columns, q, width);
  const gram = new Float64Array(width * width);
  for (let column = 0; column < columns; column++) {
    for (let i = 0; i < width; i++) {
      const bi = b[column * width + i]!;
      if (bi === 0) continue;
      for (let j = 0; j < width; j++) gram[i * width + j]! += bi * b[column * width + j]!;
    }
  }
  const { values, vectors } = symmetricEigen(gram, width);
  const left = new Float64Array(rows * rank);
  for (let row = 0; row < rows; row++) {
    for (let component = 0; component < rank; component++) {
      let sum = 0;
      for (let k = 0; k < width; k++) sum += q[row * width + k]! * vectors[component * width + k]!;
      left[row * rank + component] = sum;
    }
  }
  return {
    left,
    singularValues: Float64Array.from(values.subarray(0, rank), (value) => Math.sqrt(Math.max(0, value))),
  };
}
