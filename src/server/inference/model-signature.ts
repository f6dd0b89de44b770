import type { OnnxElementType } from './tensor-value.js';

/** One input or output of a model as its ONNX graph declares it. */
export interface TensorSignature {
  name: string;
  /** undefined when the value is not a tensor, or of a type onnxruntime-node cannot exchange (e.g. int4). */
  type: OnnxElementType | undefined;
  /** The declared type as onnxruntime names it, for messages about unsupported types. */
  declaredType: string;
  /** -1 for a dynamic (symbolic or unknown) dimension. */
  shape: number[];
}

/** What a loaded model takes and returns. */
export interface ModelSignature {
  inputs: TensorSignature[];
  outputs: TensorSignature[];
}

/**
 * Whether requests for a model can be concatenated along axis 0: every input and output must
 * have a dynamic first dimension (the batch). A model declared with a fixed batch of 1, or a
 * scalar output, runs each request alone.
 *
 * @example
 * isBatchable({ inputs: [{ name: 'x', type: 'float32', declaredType: 'float32', shape: [-1, 4] }], outputs: [] }); // true
 */
export function isBatchable(signature: ModelSignature): boolean {
  const tensors = [...signature.inputs, ...signature.outputs];
  return tensors.length > 0 && tensors.every((tensor) => tensor.shape.length > 0 && tensor.shape[0] === -1);
}
