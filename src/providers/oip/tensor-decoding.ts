import { ValidationError } from '../../errors/index.js';
import type { InferOutput, InferResponse } from '../../wire/oip/oip-schemas.js';
import type { TensorData, TensorDatatype } from '../../wire/oip/tensor-datatypes.js';
import type { DecodedTensor, InferResult, TensorArrayByDatatype } from './decoded-tensor.js';

type NumericDatatype = Exclude<TensorDatatype, 'BOOL' | 'BYTES' | 'INT64' | 'UINT64'>;

const numericArrays: {
  [Datatype in NumericDatatype]: (values: number[]) => TensorArrayByDatatype[Datatype];
} = {
  UINT8: (values) => Uint8Array.from(values),
  UINT16: (values) => Uint16Array.from(values),
  UINT32: (values) => Uint32Array.from(values),
  INT8: (values) => Int8Array.from(values),
  INT16: (values) => Int16Array.from(values),
  INT32: (values) => Int32Array.from(values),
  FP16: (values) => Float32Array.from(values),
  FP32: (values) => Float32Array.from(values),
  FP64: (values) => Float64Array.from(values),
  BF16: (values) => Float32Array.from(values),
};

function flatten(
  data: TensorData,
  into: Array<number | string | boolean> = [],
): Array<number | string | boolean> {
  if (Array.isArray(data)) for (const item of data) flatten(item, into);
  else into.push(data);
  return into;
}

function invalid(path: string, message: string, requestId: string | undefined): never {
  const suffix = requestId ? ` (request id ${requestId})` : '';
  throw new ValidationError(`Invalid infer response: ${path}: ${message}${suffix}`, {
    issues: [{ path, message }],
    subject: 'response',
    requestId,
  });
}

function checkedValues<Value>(
  values: ReadonlyArray<unknown>,
  accept: (value: unknown) => value is Value,
  expected: string,
  path: string,
  requestId: string | undefined,
): Value[] {
  values.forEach((value, index) => {
    if (!accept(value))
      invalid(`${path}.data.${index}`, `expected ${expected}, got ${JSON.stringify(value)}`, requestId);
  });
  return values as Value[];
}

const isNumber = (value: unknown): value is number => typeof value === 'number';
const isInteger = (value: unknown): value is number => Number.isInteger(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isBooleanLike = (value: unknown): value is boolean | number =>
  typeof value === 'boolean' || value === 0 || value === 1;

/** Decodes one JSON output tensor to its typed array, checking the element count against the shape. */
export function decodeOutputTensor(output: InferOutput, path: string, requestId?: string): DecodedTensor {
  const values = flatten(output.data);
  const expected = output.shape.reduce((product, size) => product * size, 1);
  if (values.length !== expected) {
    invalid(
      `${path}.data`,
      `shape [${output.shape.join(', ')}] needs ${expected} elements, got ${values.length}`,
      requestId,
    );
  }
  const base = {
    name: output.name,
    shape: [...output.shape],
    ...(output.parameters === undefined ? {} : { parameters: output.parameters }),
  };
  const datatype = output.datatype;
  switch (datatype) {
    case 'BOOL':
      return {
        ...base,
        datatype,
        data: checkedValues(values, isBooleanLike, 'a boolean', path, requestId).map(Boolean),
      };
    case 'BYTES':
      return { ...base, datatype, data: checkedValues(values, isString, 'a string', path, requestId) };
    case 'INT64':
      return {
        ...base,
        datatype,
        data: BigInt64Array.from(checkedValues(values, isInteger, 'an integer', path, requestId), (value) =>
          BigInt(value),
        ),
      };
    case 'UINT64':
      return {
        ...base,
        datatype,
        data: BigUint64Array.from(checkedValues(values, isInteger, 'an integer', path, requestId), (value) =>
          BigInt(value),
        ),
      };
    default: {
      const numbers = checkedValues(values, isNumber, 'a number', path, requestId);
      return { ...base, datatype, data: numericArrays[datatype](numbers) } as DecodedTensor;
    }
  }
}

/** Decodes every output of a validated infer response. */
export function decodeInferResponse(response: InferResponse, requestId?: string): InferResult {
  return {
    model_name: response.model_name,
    ...(response.model_version === undefined ? {} : { model_version: response.model_version }),
    ...(response.id === undefined ? {} : { id: response.id }),
    ...(response.parameters === undefined ? {} : { parameters: response.parameters }),
    outputs: response.outputs.map((output, index) =>
      decodeOutputTensor(output, `outputs.${index}`, requestId),
    ),
  };
}
