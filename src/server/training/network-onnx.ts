import { InvalidOptionError } from '../../errors/index.js';
import { readOnnxGraph } from './onnx-graph-reader.js';
import {
  bytesField,
  float32Bytes,
  message,
  packedVarintField,
  stringField,
  varintField,
} from './protobuf-wire.js';
import type { Activation, NetworkArchitecture, NetworkParameters } from './training-contract.js';
import { parameterShapes, validateArchitecture, validateParameters } from './training-spec-validation.js';

/** ONNX IR version 8 and opset 13: both run on onnxruntime-node 1.30 and keep the op set small and stable. */
export const onnxIrVersion = 8;
export const onnxOpsetVersion = 13;

export interface NetworkOnnxMeta {
  name: string;
  description?: string | undefined;
  /** Written as the model's metadata_props, readable from onnxruntime. */
  metadata?: Readonly<Record<string, string>> | undefined;
  /** The model's producer_name; 'aiaas' unless given. */
  producer?: string | undefined;
}

const floatType = 1; // TensorProto.DataType.FLOAT
const intAttribute = 2; // AttributeProto.AttributeType.INT
const activationOps: Partial<Record<Activation, string>> = {
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  softmax: 'Softmax',
};

export function intAttributeField(name: string, value: number): Uint8Array {
  return bytesField(5, message(stringField(1, name), varintField(3, value), varintField(20, intAttribute)));
}

/** A float32 initializer (raw little-endian data), as protobuf writers order its fields. */
export function floatInitializer(name: string, dims: readonly number[], values: Float32Array): Uint8Array {
  return bytesField(
    5,
    message(
      packedVarintField(1, dims),
      varintField(2, floatType),
      stringField(8, name),
      bytesField(9, float32Bytes(values)),
    ),
  );
}

/** A float32 tensor `name` of shape [batch, width]. */
function valueInfo(field: number, name: string, width: number): Uint8Array {
  const dimension = (value: Uint8Array) => bytesField(1, value);
  const shape = message(dimension(stringField(2, 'batch')), dimension(varintField(1, width)));
  const tensorType = message(varintField(1, floatType), bytesField(2, shape));
  return bytesField(field, message(stringField(1, name), bytesField(2, message(bytesField(1, tensorType)))));
}

function node(
  index: number,
  opType: string,
  inputs: readonly string[],
  output: string,
  attributes: Uint8Array[] = [],
) {
  return bytesField(
    1,
    message(
      inputs.map((input) => stringField(1, input)),
      stringField(2, output),
      stringField(3, `${opType.toLowerCase()}_${index}`),
      stringField(4, opType),
      attributes,
    ),
  );
}

/**
 * The ONNX model of a dense network: per layer a Gemm (transB = 1, weights `units x inputs`)
 * and its activation op (none for linear), from `input` float32 [batch, inputDim] to
 * `probability` float32 [batch, last layer's units], as ref-classify is served.
 */
export function networkToOnnx(
  architecture: NetworkArchitecture,
  parameters: NetworkParameters,
  meta: NetworkOnnxMeta,
): Uint8Array {
  validateArchitecture(architecture);
  validateParameters(parameters, architecture, 'parameters');
  const shapes = parameterShapes(architecture);
  const last = architecture.layers.length - 1;
  const nodes: Uint8Array[] = [];
  let input = 'input';
  architecture.layers.forEach((layer, index) => {
    const number = index + 1;
    const op = activationOps[layer.activation];
    const output = index === last ? 'probability' : `activation_${number}`;
    const linear = op === undefined ? output : `linear_${number}`;
    nodes.push(
      node(nodes.length, 'Gemm', [input, `dense_${number}_weights`, `dense_${number}_bias`], linear, [
        intAttributeField('transB', 1),
      ]),
    );
    if (op !== undefined)
      nodes.push(
        node(nodes.length, op, [linear], output, op === 'Softmax' ? [intAttributeField('axis', 1)] : []),
      );
    input = output;
  });
  const initializers = architecture.layers.flatMap((_, index) => [
    floatInitializer(`dense_${index + 1}_weights`, shapes[2 * index]!, parameters[2 * index]!),
    floatInitializer(`dense_${index + 1}_bias`, shapes[2 * index + 1]!, parameters[2 * index + 1]!),
  ]);
  const graph = message(
    nodes,
    stringField(2, meta.name),
    initializers,
    valueInfo(11, 'input', architecture.inputDim),
    valueInfo(12, 'probability', architecture.layers[last]!.units),
  );
  return message(
    varintField(1, onnxIrVersion),
    stringField(2, meta.producer ?? 'aiaas'),
    stringField(3, '1'),
    varintField(5, 1),
    meta.description === undefined ? [] : stringField(6, meta.description),
    bytesField(7, graph),
    bytesField(8, message(stringField(1, ''), varintField(2, onnxOpsetVersion))),
    Object.entries(meta.metadata ?? {}).map(([key, value]) =>
      bytesField(14, message(stringField(1, key), stringField(2, value))),
    ),
  );
}

const activationOfOp = new Map<string, Activation>(
  Object.entries(activationOps).map(([activation, op]) => [op, activation as Activation]),
);

function refuse(option: string, message: string, allowed: string): never {
  throw new InvalidOptionError(`parametersFromOnnx: ${option}: ${message}`, { option, allowed });
}

/** Gemm's B as `units x inputs` whether stored that way (transB = 1) or transposed, scaled by alpha. */
function gemmWeights(
  weights: Float32Array,
  dims: number[],
  transB: boolean,
  alpha: number,
  units: number,
  inputs: number,
) {
  if (transB && dims[0] === units && dims[1] === inputs) return weights.map((value) => value * alpha);
  if (!transB && dims[0] === inputs && dims[1] === units) {
    const out = new Float32Array(units * inputs);
    for (let input = 0; input < inputs; input++)
      for (let unit = 0; unit < units; unit++)
        out[unit * inputs + input] = weights[input * units + unit]! * alpha;
    return out;
  }
  return undefined;
}

/**
 * Reads a dense network's parameters back from an ONNX model made of Gemm layers (each followed
 * by its activation op, or none for linear), such as networkToOnnx writes and ref-classify is.
 * Throws an InvalidOptionError naming the layer when the graph does not match `architecture`.
 */
export function parametersFromOnnx(bytes: Uint8Array, architecture: NetworkArchitecture): NetworkParameters {
  validateArchitecture(architecture);
  let graph: ReturnType<typeof readOnnxGraph>;
  try {
    graph = readOnnxGraph(bytes);
  } catch (error) {
    refuse('bytes', `not a readable ONNX model (${(error as Error).message})`, 'an ONNX model');
  }
  const gemms = graph.nodes.filter((entry) => entry.opType === 'Gemm');
  if (gemms.length !== architecture.layers.length)
    refuse(
      'architecture.layers',
      `the model has ${gemms.length} Gemm layers, not ${architecture.layers.length}`,
      `${gemms.length} layers`,
    );
  const parameters = gemms.flatMap((gemm, index) => {
    const layer = architecture.layers[index]!;
    const option = `architecture.layers[${index}]`;
    const inputs = index === 0 ? architecture.inputDim : architecture.layers[index - 1]!.units;
    const consumer = graph.nodes.find(
      (entry) => entry.inputs[0] === gemm.outputs[0] && activationOfOp.has(entry.opType),
    );
    const activation = consumer === undefined ? 'linear' : activationOfOp.get(consumer.opType)!;
    if (activation !== layer.activation)
      refuse(
        `${option}.activation`,
        `the model's layer ${index + 1} uses ${activation}, not ${layer.activation}`,
        activation,
      );
    const weights = graph.initializers.get(gemm.inputs[1] ?? '');
    const bias = graph.initializers.get(gemm.inputs[2] ?? '');
    const transB = gemm.attributes.get('transB')?.i === 1;
    const alpha = gemm.attributes.get('alpha')?.f ?? 1;
    const beta = gemm.attributes.get('beta')?.f ?? 1;
    const read =
      weights?.values === undefined
        ? undefined
        : gemmWeights(weights.values, weights.dims, transB, alpha, layer.units, inputs);
    if (read === undefined)
      refuse(
        `${option}.units`,
        `the model's layer ${index + 1} weights are not float32 ${layer.units} x ${inputs} (found [${weights?.dims ?? ''}])`,
        `${weights?.dims ?? ''}`,
      );
    if (bias !== undefined && (bias.values === undefined || bias.values.length !== layer.units))
      refuse(
        `${option}.units`,
        `the model's layer ${index + 1} bias is not float32 [${layer.units}]`,
        `[${bias.dims}]`,
      );
    return [
      read,
      bias === undefined ? new Float32Array(layer.units) : bias.values!.map((value) => value * beta),
    ];
  });
  validateParameters(parameters, architecture, 'parameters');
  return parameters;
}
