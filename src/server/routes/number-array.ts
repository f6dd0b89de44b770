/**
 * A vector as a plain array for JSON (a loop: `Array.from` goes through the iterator, per request).
 *
 * @example
 * numberArray(new Float32Array([0.5, 1])); // [0.5, 1]
 */
export function numberArray(vector: Float32Array): number[] {
  const numbers = new Array<number>(vector.length);
  for (let index = 0; index < vector.length; index++) numbers[index] = vector[index]!;
  return numbers;
}
