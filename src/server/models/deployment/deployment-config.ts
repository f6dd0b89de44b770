import { z } from 'zod';
import { describeIssues, issuesOf } from '../../../wire/validate-wire.js';
import type { ModelSignature, TensorSignature } from '../../inference/model-signature.js';
import type { OnnxElementType } from '../../inference/tensor-value.js';

/** Triton's `data_type` names of the element types onnxruntime-node exchanges. */
const onnxTypeByTritonType: Record<string, OnnxElementType> = {
  TYPE_BOOL: 'bool',
  TYPE_UINT8: 'uint8',
  TYPE_UINT16: 'uint16',
  TYPE_UINT32: 'uint32',
  TYPE_UINT64: 'uint64',
  TYPE_INT8: 'int8',
  TYPE_INT16: 'int16',
  TYPE_INT32: 'int32',
  TYPE_INT64: 'int64',
  TYPE_FP16: 'float16',
  TYPE_FP32: 'float32',
  TYPE_FP64: 'float64',
  TYPE_STRING: 'string',
};

const tensorConfigSchema = z.looseObject({
  name: z.string().min(1),
  data_type: z.string().optional(),
  dims: z.array(z.number().int().min(-1)).optional(),
});

/** The part of a Triton model configuration (JSON form) the server reads; other fields are kept as given. */
const modelConfigSchema = z.looseObject({
  name: z.string().optional(),
  platform: z.string().optional(),
  backend: z.string().optional(),
  max_batch_size: z.number().int().min(0).optional(),
  input: z.array(tensorConfigSchema).optional(),
  output: z.array(tensorConfigSchema).optional(),
});

export type DeploymentConfig = z.output<typeof modelConfigSchema>;
type TensorConfig = z.output<typeof tensorConfigSchema>;

/** A configuration the server cannot accept; the message says what is wrong with it. */
export class DeploymentConfigError extends Error {
  override name = 'DeploymentConfigError';
}

/**
 * Parses the `config` parameter of a load: a JSON string of a Triton model configuration
 * naming this model (or no name), for the ONNX runtime (or no platform).
 *
 * @example
 * parseDeploymentConfig('{"max_batch_size":8}', 'iris'); // { max_batch_size: 8 }
 */
export function parseDeploymentConfig(text: string, model: string): DeploymentConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DeploymentConfigError(`the config is not JSON: ${(error as Error).message}`);
  }
  const parsed = modelConfigSchema.safeParse(json);
  if (!parsed.success)
    throw new DeploymentConfigError(`the config is invalid: ${describeIssues(issuesOf(parsed.error))}`);
  const config = parsed.data;
  if (config.name !== undefined && config.name !== model)
    throw new DeploymentConfigError(`the config names the model '${config.name}', not '${model}'`);
  if (config.platform !== undefined && config.platform !== 'onnxruntime_onnx')
    throw new DeploymentConfigError(
      `the platform '${config.platform}' is not served here; use onnxruntime_onnx`,
    );
  if (config.backend !== undefined && config.backend !== 'onnxruntime')
    throw new DeploymentConfigError(`the backend '${config.backend}' is not served here; use onnxruntime`);
  for (const tensor of [...(config.input ?? []), ...(config.output ?? [])]) {
    if (tensor.data_type !== undefined && onnxTypeByTritonType[tensor.data_type] === undefined)
      throw new DeploymentConfigError(
        `the data_type '${tensor.data_type}' of '${tensor.name}' is not supported`,
      );
  }
  return config;
}

function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function checkTensors(
  kind: 'input' | 'output',
  declared: readonly TensorConfig[] | undefined,
  actual: readonly TensorSignature[],
  batched: boolean,
): void {
  if (declared === undefined) return;
  for (const tensor of declared) {
    const found = actual.find((candidate) => candidate.name === tensor.name);
    if (found === undefined) {
      const names = actual.map((candidate) => `'${candidate.name}'`).join(', ');
      throw new DeploymentConfigError(
        `the config has the ${kind} '${tensor.name}'; the graph's ${kind}s are ${names}`,
      );
    }
    const type = tensor.data_type === undefined ? undefined : onnxTypeByTritonType[tensor.data_type];
    if (type !== undefined && type !== found.type) {
      throw new DeploymentConfigError(
        `the config says the ${kind} '${tensor.name}' is ${tensor.data_type}; the graph says ${found.declaredType}`,
      );
    }
    if (tensor.dims === undefined) continue;
    // With max_batch_size > 0, Triton's dims leave out the batch dimension the graph has first.
    const expected = batched ? [-1, ...tensor.dims] : tensor.dims;
    const fits =
      expected.length === found.shape.length &&
      expected.every((size, axis) => size === -1 || found.shape[axis] === -1 || size === found.shape[axis]);
    if (!fits) {
      throw new DeploymentConfigError(
        `the config gives the ${kind} '${tensor.name}' the shape ${describeShape(expected)}; the graph says ${describeShape(found.shape)}`,
      );
    }
  }
  const missing = actual.find((candidate) => !declared.some((tensor) => tensor.name === candidate.name));
  if (missing !== undefined && kind === 'input')
    throw new DeploymentConfigError(`the config leaves out the graph's input '${missing.name}'`);
}

/**
 * Checks that what the config declares agrees with the loaded graph: every declared input and
 * output exists with the same type and compatible dimensions, and no graph input is left out.
 *
 * @example
 * checkConfigAgainstGraph(config, signature); // throws DeploymentConfigError on a contradiction
 */
export function checkConfigAgainstGraph(config: DeploymentConfig, signature: ModelSignature): void {
  const batched = (config.max_batch_size ?? 0) > 0;
  checkTensors('input', config.input, signature.inputs, batched);
  checkTensors('output', config.output, signature.outputs, batched);
}
