import type { InferInput, InferOutput } from '../../../wire/oip/oip-schemas.js';
import type { TensorData } from '../../../wire/oip/tensor-datatypes.js';
import { badRequest } from '../../http/http-error.js';
import {
  elementCount,
  type OnnxElementType,
  type TensorStorage,
  type TensorValue,
} from '../../inference/tensor-value.js';
import { float16BitsOf, float16Value } from './float16-bits.js';
import { datatypeOfOnnxType, onnxTypeOfDatatype } from './oip-datatypes.js';

type Scalar = number | string | boolean;

/** Row-major flattening of nested JSON tensor data, without recursion (deep nesting cannot overflow the stack). */
export function flattenTensorData(data: TensorData): Scalar[] {
  const flat: Scalar[] = [];
  const stack: TensorData[] = [data];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (!Array.isArray(item)) flat.push(item);
    else for (let index = item.length - 1; index >= 0; index--) stack.push(item[index]!);
  }
  return flat;
}

const integerRanges: Partial<Record<OnnxElementType, [number, number]>> = {
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function storageOf(type: OnnxElementType, values: Scalar[], param: string): TensorStorage {
  const fail = (index: number, expected: string): never => {
    throw badRequest(`${param}.${index} is ${JSON.stringify(values[index])}; expected ${expected}.`, param);
  };
  if (type === 'string')
    return values.map((value, index) => (typeof value === 'string' ? value : fail(index, 'a string')));
  if (type === 'bool') {
    return Uint8Array.from(values, (value, index) =>
      value === true || value === 1 ? 1 : value === false || value === 0 ? 0 : fail(index, 'a boolean'),
    );
  }
  const numbers = values.map((value, index) => (typeof value === 'number' ? value : fail(index, 'a number')));
  const range = integerRanges[type];
  if (range !== undefined) {
    numbers.forEach((value, index) => {
      if (!Number.isInteger(value) || value < range[0] || value > range[1]) {
        fail(index, `an integer in [${range[0]}, ${range[1]}] for ${datatypeOfOnnxType(type)}`);
      }
    });
  }
  switch (type) {
    case 'uint8':
      return Uint8Array.from(numbers);
    case 'uint16':
      return Uint16Array.from(numbers);
    case 'uint32':
      return Uint32Array.from(numbers);
    case 'int8':
      return Int8Array.from(numbers);
    case 'int16':
      return Int16Array.from(numbers);
    case 'int32':
      return Int32Array.from(numbers);
    case 'uint64':
      return BigUint64Array.from(numbers, (value) => BigInt(value));
    case 'int64':
      return BigInt64Array.from(numbers, (value) => BigInt(value));
    case 'float16':
      return Uint16Array.from(numbers, float16BitsOf);
    case 'float32':
      return Float32Array.from(numbers);
    default:
      return Float64Array.from(numbers);
  }
}

/**
 * An OIP JSON input as a tensor: the datatype mapped to onnxruntime's (BF16 refused), the
 * data flattened, its element count checked against the shape, and every value checked
 * against the datatype (integers in range, strings for BYTES, booleans for BOOL).
 *
 * @example
 * decodeInferInput({ name: 'x', shape: [1, 2], datatype: 'FP32', data: [1, 2] }, 'inputs.0');
 */
export function decodeInferInput(input: InferInput, param: string): TensorValue {
  const type = onnxTypeOfDatatype(input.datatype, `${param}.datatype`);
  const values = flattenTensorData(input.data);
  const expected = elementCount(input.shape);
  if (values.length !== expected) {
    throw badRequest(
      `${param} has ${values.length} values, but its shape [${input.shape.join(', ')}] holds ${expected}.`,
      `${param}.data`,
    );
  }
  return { type, dims: [...input.shape], data: storageOf(type, values, `${param}.data`) };
}

function jsonValuesOf(tensor: TensorValue): Scalar[] {
  const data = tensor.data;
  if (tensor.type === 'bool') return Array.from(data as Uint8Array, (value) => value !== 0);
  if (tensor.type === 'float16') return Array.from(data as Uint16Array, float16Value);
  if (tensor.type === 'string') return [...(data as string[])];
  // JSON has one number type: 64-bit integers beyond 2^53 lose precision here, as in every JSON tensor API.
  if (tensor.type === 'int64' || tensor.type === 'uint64') return Array.from(data as BigInt64Array, Number);
  return Array.from(data as Float32Array);
}

/**
 * A model output as an OIP JSON output (flat row-major data).
 *
 * @example
 * encodeInferOutput('probability', { type: 'float32', dims: [1, 1], data: Float32Array.of(0.9) });
 */
export function encodeInferOutput(name: string, tensor: TensorValue): InferOutput {
  return {
    name,
    datatype: datatypeOfOnnxType(tensor.type),
    shape: [...tensor.dims],
    data: jsonValuesOf(tensor),
  };
}
