import type { TensorDatatype } from '../../wire/oip/tensor-datatypes.js';

/** The array type each OIP datatype decodes to. FP16 and BF16 arrive as JSON numbers and widen to float32. */
export interface TensorArrayByDatatype {
  BOOL: boolean[];
  UINT8: Uint8Array;
  UINT16: Uint16Array;
  UINT32: Uint32Array;
  UINT64: BigUint64Array;
  INT8: Int8Array;
  INT16: Int16Array;
  INT32: Int32Array;
  INT64: BigInt64Array;
  FP16: Float32Array;
  FP32: Float32Array;
  FP64: Float64Array;
  BF16: Float32Array;
  BYTES: string[];
}

/** A tensor of one datatype: its data is the matching typed array, row-major, with its shape. */
export interface TypedTensor<Datatype extends TensorDatatype> {
  name: string;
  datatype: Datatype;
  shape: number[];
  data: TensorArrayByDatatype[Datatype];
  parameters?: Record<string, unknown>;
}

/**
 * An OIP output decoded to a typed array. A union over datatypes, so checking `datatype`
 * narrows `data`.
 *
 * @example
 * const [scores] = result.outputs;
 * if (scores?.datatype === 'FP32') console.log(scores.data[0]); // data: Float32Array
 */
export type DecodedTensor = { [Datatype in TensorDatatype]: TypedTensor<Datatype> }[TensorDatatype];

/** The result of `inference.infer`: the response with every output decoded. */
export interface InferResult {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: Record<string, unknown>;
  outputs: DecodedTensor[];
}
