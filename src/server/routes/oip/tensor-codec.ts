import type { InferInput, InferOutput } from '../../../wire/oip/oip-schemas.js';
import type { TensorData } from '../../../wire/oip/tensor-datatypes.js';
import { badRequest, type HttpError } from '../../http/http-error.js';
import {
  elementCount,
  type OnnxElementType,
  type TensorStorage,
  type TensorValue,
} from '../../inference/tensor-value.js';
import { float16BitsOf, float16Value } from './float16-bits.js';
import { datatypeOfOnnxType, onnxTypeOfDatatype } from './oip-datatypes.js';
import { elementError, elementProblem, type TensorScalar } from './tensor-element-fit.js';

/** Row-major flattening of nested JSON tensor data, without recursion (deep nesting cannot overflow the stack). */
export function flattenTensorData(data: TensorData): TensorScalar[] {
  const flat: TensorScalar[] = [];
  const stack: TensorData[] = [data];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (!Array.isArray(item)) flat.push(item);
    else for (let index = item.length - 1; index >= 0; index--) stack.push(item[index]!);
  }
  return flat;
}

/** Every value checked first: a tensor is fed whole or not at all. */
function checkElements(
  input: InferInput,
  type: OnnxElementType,
  values: TensorScalar[],
  param: string,
): void {
  for (const [index, value] of values.entries()) {
    const problem = elementProblem(type, value);
    if (problem !== undefined) throw elementError(input.name, index, value, problem, param);
  }
}

function storageOf(type: OnnxElementType, values: TensorScalar[]): TensorStorage {
  if (type === 'string') return values as string[];
  if (type === 'bool') return Uint8Array.from(values, (value) => (value === true || value === 1 ? 1 : 0));
  const numbers = values as number[];
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
 * against the datatype (see {@link elementProblem}): a value that does not fit, such as 1e39
 * for FP32 or 300 for UINT8, is a 400 naming the input and the element's flat index, never
 * a silent infinity or a wrapped integer.
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
  checkElements(input, type, values, `${param}.data`);
  return { type, dims: [...input.shape], data: storageOf(type, values) };
}

/**
 * The 400 for a body the wire schema refused because a tensor value is ±Infinity: JSON has no
 * infinity, so JSON.parse read a number too large for a double (e.g. `1e400`) as one. The
 * schema can only say `inputs.0.data` is invalid; this names the input and the element.
 * Undefined when there is no such value (the body is invalid for another reason).
 *
 * @example
 * overflowingInputError(JSON.parse('{"inputs":[{"name":"x","datatype":"FP64","data":[1e400]}]}')); // Input 'x' element 0: …
 */
export function overflowingInputError(body: unknown): HttpError | undefined {
  const inputs = (body as { inputs?: unknown } | null)?.inputs;
  if (!Array.isArray(inputs)) return undefined;
  for (const [position, input] of inputs.entries()) {
    const { name, datatype, data } = (input ?? {}) as { name?: unknown; datatype?: unknown; data?: unknown };
    const values = flattenTensorData(data as TensorData);
    const index = values.findIndex((value) => typeof value === 'number' && !Number.isFinite(value));
    if (index === -1) continue;
    return elementError(
      typeof name === 'string' ? name : `#${position}`,
      index,
      values[index],
      `does not fit ${typeof datatype === 'string' ? datatype : 'any datatype'}`,
      `inputs.${position}.data`,
    );
  }
  return undefined;
}

function jsonValuesOf(tensor: TensorValue): TensorScalar[] {
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
