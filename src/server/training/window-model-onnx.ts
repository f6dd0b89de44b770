import { floatInitializer, intAttributeField, onnxIrVersion, onnxOpsetVersion } from './network-onnx.js';
import { readOnnxGraph } from './onnx-graph-reader.js';
import { bytesField, message, packedInt64Field, stringField, varintField } from './protobuf-wire.js';
import {
  WindowLanguageModel,
  type WindowLanguageModelShape,
  windowParameterShapes,
} from './window-language-model.js';

export interface WindowModelOnnxMeta {
  name: string;
  description: string;
  /** Written as the model's metadata_props, readable from onnxruntime. */
  metadata?: Readonly<Record<string, string>> | undefined;
  /** The model's producer_name. */
  producer: string;
}

const floatType = 1; // TensorProto.DataType.FLOAT
const int64Type = 7; // TensorProto.DataType.INT64

/** The float initializers, in `WindowLanguageModel.parameters` order. */
export const windowParameterNames = [
  'token_embeddings',
  'hidden_weights',
  'hidden_bias',
  'class_weights',
  'class_bias',
  'token_weights',
  'token_bias',
] as const;

// Fields in field-number order, as protobuf writers emit them: the bytes equal those onnx-proto wrote for ref-chat.
function int64Initializer(name: string, values: readonly number[]): Uint8Array {
  return bytesField(
    5,
    message(
      packedInt64Field(1, [values.length]),
      varintField(2, int64Type),
      packedInt64Field(7, values),
      stringField(8, name),
    ),
  );
}

function valueInfo(field: number, name: string, elementType: number, width: number): Uint8Array {
  const shape = message(bytesField(1, stringField(2, 'batch')), bytesField(1, varintField(1, width)));
  const tensorType = message(varintField(1, elementType), bytesField(2, shape));
  return bytesField(field, message(stringField(1, name), bytesField(2, bytesField(1, tensorType))));
}

type Attributes = Readonly<Record<string, number>>;

function node(index: number, opType: string, inputs: string[], output: string, attributes: Attributes = {}) {
  return bytesField(
    1,
    message(
      inputs.map((input) => stringField(1, input)),
      stringField(2, output),
      stringField(3, `${opType.toLowerCase()}_${index}`),
      stringField(4, opType),
      Object.entries(attributes).map(([name, value]) => intAttributeField(name, value)),
    ),
  );
}

/** The graph's ops: embeddings → window → tanh → class log-softmax + in-class log-softmax → `logits`. */
const graphNodes: [string, string[], string, Attributes?][] = [
  ['Gather', ['token_embeddings', 'context'], 'embedded', { axis: 0 }],
  ['Reshape', ['embedded', 'window_shape'], 'window'],
  ['Gemm', ['window', 'hidden_weights', 'hidden_bias'], 'hidden_linear', { transB: 1 }],
  ['Tanh', ['hidden_linear'], 'hidden'],
  ['Gemm', ['hidden', 'class_weights', 'class_bias'], 'class_logits', { transB: 1 }],
  ['LogSoftmax', ['class_logits'], 'class_log_probabilities', { axis: 1 }],
  ['Unsqueeze', ['class_log_probabilities', 'class_axis'], 'class_log_probabilities_3d'],
  ['Gemm', ['hidden', 'token_weights', 'token_bias'], 'token_logits', { transB: 1 }],
  ['Reshape', ['token_logits', 'block_shape'], 'token_logits_by_class'],
  ['LogSoftmax', ['token_logits_by_class'], 'token_log_probabilities_in_class', { axis: 2 }],
  ['Add', ['token_log_probabilities_in_class', 'class_log_probabilities_3d'], 'token_log_probabilities'],
  ['Reshape', ['token_log_probabilities', 'vocabulary_shape'], 'logits'],
];

/**
 * The ONNX model of a window language model, as ref-chat is served: `context` int64
 * [batch, contextLength] → `logits` float32 [batch, vocabSize], a full, normalised row of
 * log-probabilities. Written without a protobuf library (the server ships none).
 */
export function windowModelToOnnx(model: WindowLanguageModel, meta: WindowModelOnnxMeta): Uint8Array {
  const { vocabSize, contextLength, embeddingSize, classCount, classSize } = model.shape;
  const shapes = windowParameterShapes(model.shape);
  const floats = model.parameters.map((values, index) =>
    floatInitializer(windowParameterNames[index]!, shapes[index]!, values),
  );
  const initializers = [
    floats[0]!,
    int64Initializer('window_shape', [-1, contextLength * embeddingSize]),
    ...floats.slice(1),
    int64Initializer('block_shape', [-1, classCount, classSize]),
    int64Initializer('class_axis', [2]),
    int64Initializer('vocabulary_shape', [-1, vocabSize]),
  ];
  const graph = message(
    graphNodes.map(([op, inputs, output, attributes], index) => node(index, op, inputs, output, attributes)),
    stringField(2, meta.name),
    initializers,
    valueInfo(11, 'context', int64Type, contextLength),
    valueInfo(12, 'logits', floatType, vocabSize),
  );
  return message(
    varintField(1, onnxIrVersion),
    stringField(2, meta.producer),
    stringField(3, '1'),
    varintField(5, 1),
    stringField(6, meta.description),
    bytesField(7, graph),
    bytesField(8, message(stringField(1, ''), varintField(2, onnxOpsetVersion))),
    Object.entries(meta.metadata ?? {}).map(([key, value]) =>
      bytesField(14, message(stringField(1, key), stringField(2, value))),
    ),
  );
}

/**
 * Reads a window language model back from its ONNX file (ref-chat's, or one windowModelToOnnx
 * wrote). Throws a RangeError naming the initializer when the file does not hold `shape`.
 */
export function windowModelFromOnnx(bytes: Uint8Array, shape: WindowLanguageModelShape): WindowLanguageModel {
  const { initializers } = readOnnxGraph(bytes);
  const shapes = windowParameterShapes(shape);
  const parameters = windowParameterNames.map((name, index) => {
    const tensor = initializers.get(name);
    const expected = shapes[index]!;
    if (tensor?.values === undefined || tensor.dims.join() !== expected.join())
      throw new RangeError(
        `the model's ${name} is not float32 [${expected}] (found ${tensor === undefined ? 'none' : `[${tensor.dims}]`})`,
      );
    return tensor.values;
  });
  return new WindowLanguageModel(shape, parameters);
}
