/** The element types onnxruntime-node can feed and fetch (its `Tensor.Type` names). */
export type OnnxElementType =
  | 'bool'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'string';

/** The storage of each element type; `float16` is the raw IEEE half bits, `bool` one byte per value. */
export interface OnnxStorageMap {
  bool: Uint8Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  float16: Uint16Array;
  float32: Float32Array;
  float64: Float64Array;
  string: string[];
}

export type TensorStorage = OnnxStorageMap[OnnxElementType];

/**
 * A tensor as plain data (type, dimensions, row-major storage). Unlike an onnxruntime
 * `Tensor` it survives `structuredClone`, so the same value can cross into a worker thread
 * (issue 3) without the routes changing.
 *
 * @example
 * const ids: TensorValue = { type: 'int64', dims: [1, 3], data: BigInt64Array.from([1n, 2n, 3n]) };
 */
export interface TensorValue {
  type: OnnxElementType;
  dims: readonly number[];
  data: TensorStorage;
}

/** Named tensors: a model's feeds or its outputs. */
export type TensorMap = Readonly<Record<string, TensorValue>>;

/** Elements in a tensor of these dimensions (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, size) => product * size, 1);
}
