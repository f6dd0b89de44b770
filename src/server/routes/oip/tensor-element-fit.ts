import type { TensorDatatype } from '../../../wire/oip/tensor-datatypes.js';
import { badRequest, type HttpError } from '../../http/http-error.js';
import type { OnnxElementType } from '../../inference/tensor-value.js';
import { float16BitsOf } from './float16-bits.js';
import { datatypeOfOnnxType } from './oip-datatypes.js';

/** One element of JSON tensor data, as the wire schema lets it through. */
export type TensorScalar = number | string | boolean;

// The 64-bit types stop at 2^53: JSON numbers beyond it have already lost their exact value.
const integerRanges: Partial<Record<OnnxElementType, readonly [number, number]>> = {
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const largestFinite: Partial<Record<OnnxElementType, number>> = {
  float16: 65504,
  float32: 3.4028234663852886e38,
  float64: Number.MAX_VALUE,
};

/** A value as the client wrote it; a number JSON.parse read as ±Infinity was written too big for any float. */
function shown(value: unknown): string {
  if (value === Number.POSITIVE_INFINITY) return 'a number above 1.8e308';
  if (value === Number.NEGATIVE_INFINITY) return 'a number below -1.8e308';
  return JSON.stringify(value);
}

/**
 * The 400 for one element that does not fit its tensor's datatype, naming the input and the
 * element's flat (row-major) index, so a client can find it in a large tensor.
 *
 * @example
 * elementError('input', 3, 1e39, 'does not fit FP32', 'inputs.0.data'); // "Input 'input' element 3: 1e+39 does not fit FP32"
 */
export function elementError(
  input: string,
  index: number,
  value: unknown,
  problem: string,
  param: string,
): HttpError {
  return badRequest(
    `Input '${input}' element ${index}: ${shown(value)} ${problem}.`,
    param,
    'invalid_tensor_value',
  );
}

/**
 * Why `value` cannot be element of a `type` tensor, or undefined when it fits: strings for
 * BYTES; `true`/`false` (or 1/0) for BOOL; integers within range for the integer types (within
 * ±(2^53 − 1) for the 64-bit ones, the most JSON carries exactly); for FP16, FP32 and FP64 a
 * number that rounds to a finite value of the type. Underflow to zero (or a subnormal) is
 * rounding, as in any float conversion, and is accepted.
 *
 * @example
 * elementProblem('float32', 1e39); // 'does not fit FP32 (finite magnitudes up to 3.4028234663852886e+38)'
 * elementProblem('float32', 0.1); // undefined
 */
export function elementProblem(type: OnnxElementType, value: TensorScalar): string | undefined {
  const datatype: TensorDatatype = datatypeOfOnnxType(type);
  if (type === 'string') return typeof value === 'string' ? undefined : `is not a string (${datatype})`;
  if (type === 'bool') {
    return value === true || value === false || value === 1 || value === 0
      ? undefined
      : 'is not a boolean (BOOL takes true or false, or 1 or 0)';
  }
  if (typeof value !== 'number') return `is not a number (${datatype})`;
  const range = integerRanges[type];
  if (range !== undefined) {
    if (!Number.isFinite(value) || value < range[0] || value > range[1]) {
      return `does not fit ${datatype} (integers from ${range[0]} to ${range[1]})`;
    }
    return Number.isInteger(value) ? undefined : `is not an integer (${datatype})`;
  }
  const fits =
    type === 'float16'
      ? Number.isFinite(value) && (float16BitsOf(value) & 0x7fff) !== 0x7c00
      : type === 'float32'
        ? Number.isFinite(Math.fround(value))
        : Number.isFinite(value);
  return fits ? undefined : `does not fit ${datatype} (finite magnitudes up to ${largestFinite[type]})`;
}
