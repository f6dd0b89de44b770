import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX IR version 8 and opset 13: both run on onnxruntime-node 1.30 and keep the op set small and stable. */
export const irVersion = 8;
export const opsetVersion = 13;

type Dimension = number | string;
type ElementType = 'float' | 'int64';

const dataTypes: Record<ElementType, number> = {
  float: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
};

type AttributeValue = number | readonly number[] | string | { float: number };

export interface GraphNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface GraphInputOutput {
  name: string;
  type: ElementType;
  /** Numbers are fixed sizes; strings name a dynamic dimension such as "batch". */
  shape: readonly Dimension[];
}

export interface ModelDefinition {
  name: string;
  description: string;
  inputs: readonly GraphInputOutput[];
  outputs: readonly GraphInputOutput[];
  initializers: readonly onnxProto.onnx.ITensorProto[];
  nodes: readonly GraphNode[];
  /** Written as the model's metadata_props, readable from onnxruntime. */
  metadata?: Readonly<Record<string, string>>;
}

/** A float initializer, stored as little-endian raw bytes (compact, and what runtimes read fastest). */
export function floatTensor(
  name: string,
  dimensions: readonly number[],
  values: Float32Array,
): onnxProto.onnx.ITensorProto {
  const expected = dimensions.reduce((product, size) => product * size, 1);
  if (values.length !== expected)
    throw new Error(`${name}: ${values.length} values for shape [${dimensions}]`);
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => {
    view.setFloat32(index * 4, value, true);
  });
  return { name, dims: [...dimensions], dataType: dataTypes.float, rawData: bytes };
}

export function int64Tensor(
  name: string,
  dimensions: readonly number[],
  values: readonly number[],
): onnxProto.onnx.ITensorProto {
  return { name, dims: [...dimensions], dataType: dataTypes.int64, int64Data: [...values] };
}

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  const types = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: types.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`Attribute ${name}: use { float } for non-integers`);
    return { name, type: types.INT, i: value };
  }
  if ('float' in value) return { name, type: types.FLOAT, f: value.float };
  return { name, type: types.INTS, ints: [...value] };
}

function valueInfo(entry: GraphInputOutput): onnxProto.onnx.IValueInfoProto {
  return {
    name: entry.name,
    type: {
      tensorType: {
        elemType: dataTypes[entry.type],
        shape: {
          dim: entry.shape.map((dimension) =>
            typeof dimension === 'number' ? { dimValue: dimension } : { dimParam: dimension },
          ),
        },
      },
    },
  };
}

/** Serialises a single-graph ONNX model to the bytes of a `.onnx` file. */
export function buildOnnxModel(definition: ModelDefinition): Uint8Array {
  const model: onnxProto.onnx.IModelProto = {
    irVersion,
    opsetImport: [{ domain: '', version: opsetVersion }],
    producerName: 'aiaas-scripts',
    producerVersion: '1',
    modelVersion: 1,
    docString: definition.description,
    metadataProps: Object.entries(definition.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: definition.name,
      input: definition.inputs.map(valueInfo),
      output: definition.outputs.map(valueInfo),
      initializer: [...definition.initializers],
      node: definition.nodes.map((node, index) => ({
        name: `${node.opType.toLowerCase()}_${index}`,
        opType: node.opType,
        input: [...node.inputs],
        output: [...node.outputs],
        attribute: Object.entries(node.attributes ?? {}).map(([key, value]) => attribute(key, value)),
      })),
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
