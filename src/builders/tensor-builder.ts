import { ValidationError } from '../errors/index.js';
import type { InferInput } from '../wire/oip/oip-schemas.js';
import type { TensorDatatype } from '../wire/oip/tensor-datatypes.js';

/** The data a tensor can be built from. */
export type TensorSource =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint8ClampedArray
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | readonly boolean[]
  | readonly string[];

/** The OIP datatype a source becomes. */
export type DatatypeOf<Source extends TensorSource> = Source extends Float32Array
  ? 'FP32'
  : Source extends Float64Array
    ? 'FP64'
    : Source extends Int8Array
      ? 'INT8'
      : Source extends Int16Array
        ? 'INT16'
        : Source extends Int32Array
          ? 'INT32'
          : Source extends Uint8Array | Uint8ClampedArray
            ? 'UINT8'
            : Source extends Uint16Array
              ? 'UINT16'
              : Source extends Uint32Array
                ? 'UINT32'
                : Source extends BigInt64Array
                  ? 'INT64'
                  : Source extends BigUint64Array
                    ? 'UINT64'
                    : Source extends readonly boolean[]
                      ? 'BOOL'
                      : 'BYTES';

/** An OIP infer input whose datatype is known from the data it was built from. */
export type TensorInput<Datatype extends TensorDatatype = TensorDatatype> = InferInput & {
  datatype: Datatype;
  shape: number[];
  data: Array<number | boolean | string>;
};

function invalid(path: string, message: string): never {
  throw new ValidationError(`Invalid tensor: ${path === '' ? '' : `${path}: `}${message}`, {
    issues: [{ path, message }],
    subject: 'request',
  });
}

const typedArrayDatatypes: ReadonlyArray<[new (...args: never[]) => ArrayBufferView, TensorDatatype]> = [
  [Float32Array, 'FP32'],
  [Float64Array, 'FP64'],
  [Int8Array, 'INT8'],
  [Int16Array, 'INT16'],
  [Int32Array, 'INT32'],
  [Uint8Array, 'UINT8'],
  [Uint8ClampedArray, 'UINT8'],
  [Uint16Array, 'UINT16'],
  [Uint32Array, 'UINT32'],
  [BigInt64Array, 'INT64'],
  [BigUint64Array, 'UINT64'],
];

function bigintsAsNumbers(values: BigInt64Array | BigUint64Array): number[] {
  return Array.from(values, (value, index) => {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      invalid(`data.${index}`, `${value} is outside the safe integer range of JSON numbers (±2^53-1)`);
    }
    return Number(value);
  });
}

function plainArray(values: readonly unknown[]): { datatype: TensorDatatype; data: Array<boolean | string> } {
  const [first] = values;
  if (first === undefined)
    invalid('data', 'cannot tell the datatype of an empty array; pass an empty typed array');
  const kind = typeof first;
  if (kind !== 'boolean' && kind !== 'string')
    invalid(
      'data',
      'plain arrays must hold booleans (BOOL) or strings (BYTES); use a typed array for numbers',
    );
  values.forEach((value, index) => {
    if (typeof value !== kind)
      invalid(`data.${index}`, `expected a ${kind} like the first element, got ${typeof value}`);
  });
  return { datatype: kind === 'boolean' ? 'BOOL' : 'BYTES', data: [...(values as Array<boolean | string>)] };
}

/**
 * Builds an OIP v2 infer input from a typed array (Float32Array -> FP32, BigInt64Array -> INT64,
 * ...), booleans (BOOL) or strings (BYTES). The shape defaults to `[length]`; its element count
 * must match the data.
 *
 * @example
 * const input = tensor('input', new Float32Array(200), [2, 100]); // { name, datatype: 'FP32', shape: [2, 100], data }
 * await client.inference.infer('ref-classify', [input]);
 */
export function tensor<Source extends TensorSource>(
  name: string,
  data: Source,
  shape?: readonly number[],
): TensorInput<DatatypeOf<Source>> {
  if (typeof name !== 'string' || name === '') invalid('name', 'a tensor needs a non-empty name');
  let datatype: TensorDatatype;
  let values: Array<number | boolean | string>;
  if (ArrayBuffer.isView(data)) {
    const match = typedArrayDatatypes.find(([arrayClass]) => data instanceof arrayClass);
    if (!match) invalid('data', `unsupported typed array ${data.constructor.name}`);
    datatype = match[1];
    values =
      data instanceof BigInt64Array || data instanceof BigUint64Array
        ? bigintsAsNumbers(data)
        : Array.from(data as unknown as ArrayLike<number>);
  } else if (Array.isArray(data)) {
    ({ datatype, data: values } = plainArray(data));
  } else {
    return invalid('data', 'expected a typed array, boolean[] or string[]');
  }
  const dimensions = shape ? [...shape] : [values.length];
  dimensions.forEach((size, index) => {
    if (!Number.isInteger(size) || size < 0)
      invalid(`shape.${index}`, `dimension ${size} must be a non-negative integer`);
  });
  const count = dimensions.reduce((product, size) => product * size, 1);
  if (count !== values.length) {
    invalid(
      'shape',
      `shape [${dimensions.join(', ')}] needs ${count} elements, but the data has ${values.length}`,
    );
  }
  return { name, datatype, shape: dimensions, data: values } as TensorInput<DatatypeOf<Source>>;
}
