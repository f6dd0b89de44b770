import { float32FromBytes, readFields, text, varints, type WireField } from './protobuf-wire.js';

export interface OnnxAttribute {
  i?: number;
  f?: number;
}

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

export interface OnnxInitializer {
  dims: number[];
  /** Float32 tensors only; undefined for any other element type. */
  values: Float32Array | undefined;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: Map<string, OnnxInitializer>;
}

const floatType = 1;
const externalLocation = 1;

function bytesOf(fields: readonly WireField[], field: number): Uint8Array[] {
  return fields.flatMap((entry) =>
    entry.field === field && entry.value instanceof Uint8Array ? [entry.value] : [],
  );
}

function stringOf(fields: readonly WireField[], field: number): string {
  const [bytes] = bytesOf(fields, field);
  return bytes === undefined ? '' : text(bytes);
}

function readAttribute(bytes: Uint8Array): [string, OnnxAttribute] {
  const fields = readFields(bytes);
  const attribute: OnnxAttribute = {};
  const [integer] = varints(fields, 3);
  if (integer !== undefined) attribute.i = integer;
  const [float] = bytesOf(fields, 2);
  if (float !== undefined) attribute.f = float32FromBytes(float)[0]!;
  return [stringOf(fields, 1), attribute];
}

function readNode(bytes: Uint8Array): OnnxNode {
  const fields = readFields(bytes);
  return {
    opType: stringOf(fields, 4),
    inputs: bytesOf(fields, 1).map(text),
    outputs: bytesOf(fields, 2).map(text),
    attributes: new Map(bytesOf(fields, 5).map(readAttribute)),
  };
}

function readInitializer(bytes: Uint8Array): [string, OnnxInitializer] {
  const fields = readFields(bytes);
  const name = stringOf(fields, 8);
  if (varints(fields, 14)[0] === externalLocation)
    throw new RangeError(`initializer ${name} keeps its data in an external file, which is not supported`);
  const dims = varints(fields, 1);
  if (varints(fields, 2)[0] !== floatType) return [name, { dims, values: undefined }];
  const [raw] = bytesOf(fields, 9);
  // float_data is packed (one length-delimited value) or a run of fixed 32-bit values.
  const values = float32FromBytes(raw ?? Uint8Array.from(bytesOf(fields, 4).flatMap((chunk) => [...chunk])));
  return [name, { dims, values }];
}

/** The nodes and initializers of an ONNX model's graph. Throws a RangeError for bytes that are not one. */
export function readOnnxGraph(bytes: Uint8Array): OnnxGraph {
  const [graph] = bytesOf(readFields(bytes), 7);
  if (graph === undefined) throw new RangeError('the model has no graph');
  const fields = readFields(graph);
  return {
    nodes: bytesOf(fields, 1).map(readNode),
    initializers: new Map(bytesOf(fields, 5).map(readInitializer)),
  };
}
