import type { TensorDatatype } from '../../../wire/oip/tensor-datatypes.js';
import { badRequest } from '../../http/http-error.js';
import type { OnnxElementType } from '../../inference/tensor-value.js';

const onnxTypeByDatatype: Record<Exclude<TensorDatatype, 'BF16'>, OnnxElementType> = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
};

const datatypeByOnnxType = Object.fromEntries(
  Object.entries(onnxTypeByDatatype).map(([datatype, onnxType]) => [onnxType, datatype]),
) as Record<OnnxElementType, TensorDatatype>;

/** The OIP datatype of an onnxruntime element type (`float32` -> `FP32`, `string` -> `BYTES`). */
export function datatypeOfOnnxType(type: OnnxElementType): TensorDatatype {
  return datatypeByOnnxType[type];
}

/**
 * The onnxruntime element type of an OIP datatype. BF16 is a 400: onnxruntime-node has no
 * bfloat16 tensors to feed.
 *
 * @example
 * onnxTypeOfDatatype('FP32', 'inputs.0.datatype'); // 'float32'
 */
export function onnxTypeOfDatatype(datatype: TensorDatatype, param: string): OnnxElementType {
  if (datatype === 'BF16') {
    throw badRequest(
      'BF16 tensors are not supported: onnxruntime-node cannot feed bfloat16. Send FP16 or FP32.',
      param,
      'unsupported_datatype',
    );
  }
  return onnxTypeByDatatype[datatype];
}
