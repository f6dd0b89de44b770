import {
  elementCount,
  type OnnxElementType,
  type TensorMap,
  type TensorStorage,
  type TensorValue,
} from './tensor-value.js';

/** Per input name, the value that pads axis 1 (see `InferenceRunOptions.padding`). */
export type BatchPadding = Readonly<Record<string, number>>;

/** One request's part of a batch: its feeds and its rows (axis 0 of every feed). */
export interface BatchPart {
  feeds: TensorMap;
  rows: number;
}

/**
 * The rows a request contributes to a batch: the common size of axis 0 of its feeds, or
 * undefined when it cannot join a batch (a scalar feed, feeds that disagree, or no rows).
 */
export function batchRowsOf(feeds: TensorMap): number | undefined {
  let rows: number | undefined;
  for (const tensor of Object.values(feeds)) {
    const size = tensor.dims[0];
    if (size === undefined || size < 1 || (rows !== undefined && size !== rows)) return undefined;
    rows = size;
  }
  return rows;
}

// A model passes the same padding object with every request: its key is made once.
const paddingKeys = new WeakMap<BatchPadding, string>();

function paddingKeyOf(padding: BatchPadding): string {
  let key = paddingKeys.get(padding);
  if (key === undefined) {
    key = JSON.stringify(Object.entries(padding).sort());
    // Only frozen paddings can be remembered: another could change after its key was made.
    if (Object.isFrozen(padding)) paddingKeys.set(padding, key);
  }
  return key;
}

/**
 * A key equal for exactly the requests that can share a batch: same outputs, same inputs with
 * the same types, and the same dimensions after the first (a padded input's axis 1 may differ).
 *
 * @example
 * batchCompatibilityKey({ x: { type: 'float32', dims: [3, 4], data } }, undefined, undefined); // 'x:float32:4|*|'
 */
export function batchCompatibilityKey(
  feeds: TensorMap,
  outputNames: readonly string[] | undefined,
  padding: BatchPadding | undefined,
): string {
  const inputs = Object.keys(feeds)
    .sort()
    .map((name) => {
      const tensor = feeds[name]!;
      const rest = tensor.dims
        .slice(1)
        .map((size, axis) => (axis === 0 && padding?.[name] !== undefined ? '*' : size));
      return `${name}:${tensor.type}:${rest.join('x')}`;
    });
  const paddingKey = padding === undefined ? '' : paddingKeyOf(padding);
  return `${inputs.join(',')}|${outputNames?.join(',') ?? '*'}|${paddingKey}`;
}

function allocate(type: OnnxElementType, length: number, fill: number): TensorStorage {
  switch (type) {
    case 'int64':
      return new BigInt64Array(length).fill(BigInt(fill));
    case 'uint64':
      return new BigUint64Array(length).fill(BigInt(fill));
    case 'string':
      return Array.from({ length }, () => String(fill));
    case 'bool':
    case 'uint8':
      return new Uint8Array(length).fill(fill);
    case 'int8':
      return new Int8Array(length).fill(fill);
    case 'uint16':
    case 'float16':
      return new Uint16Array(length).fill(fill);
    case 'int16':
      return new Int16Array(length).fill(fill);
    case 'uint32':
      return new Uint32Array(length).fill(fill);
    case 'int32':
      return new Int32Array(length).fill(fill);
    case 'float32':
      return new Float32Array(length).fill(fill);
    case 'float64':
      return new Float64Array(length).fill(fill);
  }
}

function copyInto(
  target: TensorStorage,
  source: TensorStorage,
  start: number,
  end: number,
  at: number,
): void {
  if (Array.isArray(target)) {
    for (let index = start; index < end; index++) target[at + index - start] = (source as string[])[index]!;
  } else {
    // Same element type on both sides (the compatibility key guarantees it).
    (target as Float32Array).set((source as Float32Array).subarray(start, end), at);
  }
}

/** Concatenates one input of every part along axis 0, padding axis 1 to the longest part when `pad` is set. */
function concatenateInput(parts: readonly BatchPart[], name: string, pad: number | undefined): TensorValue {
  const first = parts[0]!.feeds[name]!;
  const totalRows = parts.reduce((sum, part) => sum + part.rows, 0);
  if (pad === undefined || first.dims.length < 2) {
    const dims = [totalRows, ...first.dims.slice(1)];
    const data = allocate(first.type, elementCount(dims), 0);
    let at = 0;
    for (const part of parts) {
      const source = part.feeds[name]!.data;
      copyInto(data, source, 0, source.length, at);
      at += source.length;
    }
    return { type: first.type, dims, data };
  }
  const inner = elementCount(first.dims.slice(2));
  const longest = Math.max(...parts.map((part) => part.feeds[name]!.dims[1]!));
  const dims = [totalRows, longest, ...first.dims.slice(2)];
  const data = allocate(first.type, elementCount(dims), pad);
  let row = 0;
  for (const part of parts) {
    const tensor = part.feeds[name]!;
    const rowLength = tensor.dims[1]! * inner;
    for (let partRow = 0; partRow < part.rows; partRow++, row++) {
      copyInto(data, tensor.data, partRow * rowLength, (partRow + 1) * rowLength, row * longest * inner);
    }
  }
  return { type: first.type, dims, data };
}

/**
 * The feeds of one model run made of several requests: every input concatenated along the
 * batch axis, padded inputs right-padded on axis 1 to the longest request.
 *
 * @example
 * const feeds = concatenateFeeds([{ feeds: a, rows: 1 }, { feeds: b, rows: 2 }], { attention_mask: 0 });
 */
export function concatenateFeeds(parts: readonly BatchPart[], padding: BatchPadding | undefined): TensorMap {
  const feeds: Record<string, TensorValue> = {};
  for (const name of Object.keys(parts[0]!.feeds))
    feeds[name] = concatenateInput(parts, name, padding?.[name]);
  return feeds;
}

/**
 * Cuts a batch's outputs back into each request's rows. Undefined when an output does not
 * have one row per batch row (a model that is not batch-wise after all); the caller then runs
 * the requests one by one.
 */
export function splitOutputs(
  outputs: Readonly<Record<string, TensorValue>>,
  rowsPerPart: readonly number[],
): Record<string, TensorValue>[] | undefined {
  const totalRows = rowsPerPart.reduce((sum, rows) => sum + rows, 0);
  const parts: Record<string, TensorValue>[] = rowsPerPart.map(() => ({}));
  for (const [name, tensor] of Object.entries(outputs)) {
    if (tensor.dims[0] !== totalRows) return undefined;
    const rowSize = elementCount(tensor.dims.slice(1));
    let row = 0;
    rowsPerPart.forEach((rows, index) => {
      const data = tensor.data.slice(row * rowSize, (row + rows) * rowSize) as TensorStorage;
      parts[index]![name] = { type: tensor.type, dims: [rows, ...tensor.dims.slice(1)], data };
      row += rows;
    });
  }
  return parts;
}
