import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;

/** Every OIP datatype onnxruntime-node can feed, with the ONNX element type the test graph declares. */
export const identityTypes = {
  BOOL: DataType.BOOL,
  UINT8: DataType.UINT8,
  UINT16: DataType.UINT16,
  UINT32: DataType.UINT32,
  UINT64: DataType.UINT64,
  INT8: DataType.INT8,
  INT16: DataType.INT16,
  INT32: DataType.INT32,
  INT64: DataType.INT64,
  FP16: DataType.FLOAT16,
  FP32: DataType.FLOAT,
  FP64: DataType.DOUBLE,
  BYTES: DataType.STRING,
} as const;

type Dimension = number | string;

function tensorInfo(
  name: string,
  elemType: number,
  shape: readonly Dimension[],
): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: shape.map((size) => (typeof size === 'number' ? { dimValue: size } : { dimParam: size })),
        },
      },
    },
  };
}

function encodeModel(graph: onnxProto.onnx.IGraphProto): Uint8Array {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      producerName: 'aiaas-tests',
      graph,
    }),
  ).finish();
}

/** One Identity node per datatype: input `x_<TYPE>` [batch, 2] -> output `y_<TYPE>`. */
export function identityModel(): Uint8Array {
  const names = Object.keys(identityTypes) as (keyof typeof identityTypes)[];
  return encodeModel({
    name: 'identity-all-types',
    input: names.map((name) => tensorInfo(`x_${name}`, identityTypes[name], ['batch', 2])),
    output: names.map((name) => tensorInfo(`y_${name}`, identityTypes[name], ['batch', 2])),
    node: names.map((name) => ({
      opType: 'Identity',
      input: [`x_${name}`],
      output: [`y_${name}`],
      name: `id_${name}`,
    })),
  });
}

/** `y = x * scale + offset` on float32 [batch, 3]: versions differ by their constants. */
export function affineModel(scale: number, offset: number): Uint8Array {
  const scalar = (name: string, value: number): onnxProto.onnx.ITensorProto => ({
    name,
    dims: [],
    dataType: DataType.FLOAT,
    floatData: [value],
  });
  return encodeModel({
    name: 'affine',
    input: [tensorInfo('x', DataType.FLOAT, ['batch', 3])],
    output: [tensorInfo('y', DataType.FLOAT, ['batch', 3])],
    initializer: [scalar('scale', scale), scalar('offset', offset)],
    node: [
      { opType: 'Mul', input: ['x', 'scale'], output: ['scaled'], name: 'mul' },
      { opType: 'Add', input: ['scaled', 'offset'], output: ['y'], name: 'add' },
    ],
  });
}

/** Writes `<root>/<model>/<version>/model.onnx`. */
export function writeRepositoryModel(
  root: string,
  model: string,
  version: string,
  bytes: Uint8Array,
): string {
  const directory = join(root, model, version);
  mkdirSync(directory, { recursive: true });
  const path = join(directory, 'model.onnx');
  writeFileSync(path, bytes);
  return path;
}

/** An ONNX file whose envelope is sound but whose graph onnxruntime refuses (an operator no opset has). */
export function unknownOperatorModel(): Uint8Array {
  return encodeModel({
    name: 'unknown-operator',
    input: [tensorInfo('x', DataType.FLOAT, ['batch', 3])],
    output: [tensorInfo('y', DataType.FLOAT, ['batch', 3])],
    node: [{ opType: 'NoSuchOperator', input: ['x'], output: ['y'], name: 'nope' }],
  });
}
