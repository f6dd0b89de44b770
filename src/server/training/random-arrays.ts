/** Values drawn uniformly from [-scale, scale): the initial weights of a layer. */
export function uniformArray(length: number, scale: number, random: () => number): Float32Array {
  const values = new Float32Array(length);
  for (let index = 0; index < length; index++) values[index] = (random() * 2 - 1) * scale;
  return values;
}

/** Fisher-Yates shuffle driven by a seeded random, so an epoch's order is reproducible. */
export function shuffleInPlace(values: Int32Array, random: () => number): Int32Array {
  for (let index = values.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    const swap = values[index]!;
    values[index] = values[other]!;
    values[other] = swap;
  }
  return values;
}

/** 0, 1, ..., length - 1. */
export function range(length: number): Int32Array {
  return Int32Array.from({ length }, (_, index) => index);
}
