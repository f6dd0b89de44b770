/**
 * The three matrix products training needs, on row-major Float32Arrays. Each inner loop is
 * unrolled four ways so V8 keeps partial sums in registers: about twice as fast as the naive loop,
 * which is what lets the trainer (and the scripts' language model) run fast on a plain CPU.
 */

/**
 * out[i, j] = bias[j] + sum_k a[i, k] * b[j, k]  (A times B transposed, plus an optional bias;
 * a is rows x inner, b is columns x inner).
 */
export function multiplyByTransposed(
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  rows: number,
  inner: number,
  columns: number,
  bias?: Float32Array,
): void {
  let row = 0;
  for (; row + 4 <= rows; row += 4) {
    const a0 = row * inner;
    const a1 = a0 + inner;
    const a2 = a1 + inner;
    const a3 = a2 + inner;
    for (let column = 0; column < columns; column++) {
      const bOffset = column * inner;
      const start = bias === undefined ? 0 : bias[column]!;
      let s0 = start;
      let s1 = start;
      let s2 = start;
      let s3 = start;
      for (let k = 0; k < inner; k++) {
        const value = b[bOffset + k]!;
        s0 += a[a0 + k]! * value;
        s1 += a[a1 + k]! * value;
        s2 += a[a2 + k]! * value;
        s3 += a[a3 + k]! * value;
      }
      out[row * columns + column] = s0;
      out[(row + 1) * columns + column] = s1;
      out[(row + 2) * columns + column] = s2;
      out[(row + 3) * columns + column] = s3;
    }
  }
  for (; row < rows; row++) {
    const aOffset = row * inner;
    for (let column = 0; column < columns; column++) {
      const bOffset = column * inner;
      let sum = bias === undefined ? 0 : bias[column]!;
      for (let k = 0; k < inner; k++) sum += a[aOffset + k]! * b[bOffset + k]!;
      out[row * columns + column] = sum;
    }
  }
}

/** out[i, j] += sum_k a[i, k] * b[k, j]  (a is rows x inner, b is inner x columns). */
export function accumulateProduct(
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  rows: number,
  inner: number,
  columns: number,
): void {
  for (let row = 0; row < rows; row++) {
    const aOffset = row * inner;
    const outOffset = row * columns;
    let k = 0;
    for (; k + 4 <= inner; k += 4) {
      const w0 = a[aOffset + k]!;
      const w1 = a[aOffset + k + 1]!;
      const w2 = a[aOffset + k + 2]!;
      const w3 = a[aOffset + k + 3]!;
      if (w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0) continue;
      const b0 = k * columns;
      const b1 = b0 + columns;
      const b2 = b1 + columns;
      const b3 = b2 + columns;
      for (let column = 0; column < columns; column++) {
        out[outOffset + column]! +=
          w0 * b[b0 + column]! + w1 * b[b1 + column]! + w2 * b[b2 + column]! + w3 * b[b3 + column]!;
      }
    }
    for (; k < inner; k++) {
      const weight = a[aOffset + k]!;
      if (weight === 0) continue;
      const bOffset = k * columns;
      for (let column = 0; column < columns; column++)
        out[outOffset + column]! += weight * b[bOffset + column]!;
    }
  }
}

/**
 * out[i, j] += sum_n a[n, i] * b[n, j]  (A transposed times B; a is count x rows, b is count x columns).
 * `scratch` (at least rows x count) avoids a large allocation per call.
 */
export function accumulateTransposedProduct(
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  count: number,
  rows: number,
  columns: number,
  scratch: Float32Array = new Float32Array(rows * count),
): void {
  // Transposing a first turns the strided column reads into contiguous ones.
  const aTransposed = scratch;
  for (let n = 0; n < count; n++) {
    for (let row = 0; row < rows; row++) aTransposed[row * count + n] = a[n * rows + row]!;
  }
  accumulateProduct(aTransposed, b, out, rows, count, columns);
}
