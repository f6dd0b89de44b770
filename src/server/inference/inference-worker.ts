import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { inferenceWorkerMarker } from './inference-messages.js';
import type { ModelSignature, TensorSignature } from './model-signature.js';
import { loadOnnxRuntime, type OnnxRuntime } from './onnx-runtime-loader.js';
import { serveInferenceCommands } from './serve-inference-commands.js';
import type { OnnxElementType, TensorMap, TensorValue } from './tensor-value.js';

/** What a model run returns: its outputs and the time spent inside onnxruntime. */
export interface InferenceRunResult {
  outputs: Record<string, TensorValue>;
  computeMilliseconds: number;
}

const exchangeableTypes = new Set<string>([
  'bool',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'int8',
  'int16',
  'int32',
  'int64',
  'float16',
  'float32',
  'float64',
  'string',
]);

function signatureOf(metadata: InferenceSession.ValueMetadata): TensorSignature {
  if (!metadata.isTensor)
    return { name: metadata.name, type: undefined, declaredType: 'non-tensor', shape: [] };
  const type = exchangeableTypes.has(metadata.type) ? (metadata.type as OnnxElementType) : undefined;
  // Symbolic dimensions ('batch') and unknown ones are dynamic: -1 in OIP metadata.
  const shape = metadata.shape.map((size) => (typeof size === 'number' && size >= 0 ? size : -1));
  return { name: metadata.name, type, declaredType: metadata.type, shape };
}

type HalfArrayConstructor = new (
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number,
) => ArrayBufferView;
// Float16Array exists from Node 24 on; the ES2023 lib this project compiles against does not declare it.
const float16ArrayConstructor = (globalThis as { Float16Array?: HalfArrayConstructor }).Float16Array;

/**
 * float16 travels as raw half bits (Uint16Array). Where the runtime has Float16Array (Node 24),
 * onnxruntime reads a Uint16Array as numbers to convert and returns Float16Array values, so the
 * same bytes are reinterpreted both ways instead: bit-exact on every Node version.
 */
function float16Storage(data: unknown): unknown {
  const view = data as ArrayBufferView & { length: number };
  return float16ArrayConstructor !== undefined && !(data instanceof Uint16Array)
    ? new Uint16Array(view.buffer, view.byteOffset, view.length)
    : data;
}

/**
 * onnxruntime-node 1.30's native binding accepts float16 data only as a Uint16Array, but on
 * runtimes with Float16Array the Tensor constructor rewraps the bits as one; its storage is
 * pointed back at the same bytes as a Uint16Array, which changes no bit.
 */
function float16Tensor(
  onnx: typeof import('onnxruntime-node'),
  bits: Uint16Array,
  dims: readonly number[],
): Tensor {
  const tensor = new onnx.Tensor('float16', bits, dims);
  if (float16ArrayConstructor !== undefined) (tensor as unknown as { cpuData: Uint16Array }).cpuData = bits;
  return tensor;
}

function toTensorValue(tensor: Tensor): TensorValue {
  const data = tensor.type === 'float16' ? float16Storage(tensor.data) : tensor.data;
  return {
    type: tensor.type as OnnxElementType,
    dims: [...tensor.dims],
    data: data as TensorValue['data'],
  };
}

/**
 * Owns the onnxruntime sessions: loads models, runs them on plain {@link TensorValue}s and
 * releases them. Everything it takes and returns is structured-clone safe, so this module is
 * also the worker-thread entry (see the end of the file): each thread of the worker pool runs
 * one of these behind a message port, while the in-process engine calls one directly.
 *
 * @example
 * const worker = new InferenceWorker();
 * const signature = await worker.load('ref-classify', '/path/to/model.onnx');
 * const { outputs } = await worker.run('ref-classify', { input: features });
 * await worker.close();
 */
export class InferenceWorker {
  readonly #sessions = new Map<string, InferenceSession>();
  #runtime: OnnxRuntime | undefined;

  async #onnx(): Promise<OnnxRuntime> {
    this.#runtime ??= await loadOnnxRuntime();
    return this.#runtime;
  }

  /** Creates a session for `modelPath` under `key` and returns what the model takes and gives. */
  async load(key: string, modelPath: string): Promise<ModelSignature> {
    if (this.#sessions.has(key)) throw new Error(`A model is already loaded as '${key}'.`);
    const onnx = await this.#onnx();
    // Our models are small: one thread per session keeps latency low and leaves cores for other sessions.
    const session = await onnx.InferenceSession.create(modelPath, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      // A failed run rejects and the server answers and logs it (as a 4xx where the input was at fault);
      // the runtime's own copy on stderr (severity 3, error) would only duplicate it. Fatal ones still print.
      logSeverityLevel: 4,
    });
    this.#sessions.set(key, session);
    return {
      inputs: session.inputMetadata.map(signatureOf),
      outputs: session.outputMetadata.map(signatureOf),
    };
  }

  /** Runs a loaded model. `outputNames` limits what is fetched (all outputs when omitted). */
  async run(key: string, feeds: TensorMap, outputNames?: readonly string[]): Promise<InferenceRunResult> {
    const session = this.#sessions.get(key);
    if (session === undefined) throw new Error(`No model is loaded as '${key}'.`);
    const onnx = await this.#onnx();
    const tensors: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(feeds)) {
      tensors[name] =
        value.type === 'float16'
          ? float16Tensor(onnx, value.data as Uint16Array, value.dims)
          : new onnx.Tensor(value.type, value.data as Tensor['data'], value.dims);
    }
    const started = performance.now();
    const results =
      outputNames === undefined ? await session.run(tensors) : await session.run(tensors, [...outputNames]);
    const computeMilliseconds = performance.now() - started;
    const outputs: Record<string, TensorValue> = {};
    for (const [name, value] of Object.entries(results)) outputs[name] = toTensorValue(value as Tensor);
    return { outputs, computeMilliseconds };
  }

  /** Frees one model's session. */
  async unload(key: string): Promise<void> {
    const session = this.#sessions.get(key);
    this.#sessions.delete(key);
    await session?.release();
  }

  /** Frees every session; the worker can load again afterwards. */
  async close(): Promise<void> {
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map((session) => session.release()));
  }
}

// Started by the worker pool (tsup builds this file as its own entry): serve commands from the main thread.
const startedByPool = (workerData as Record<string, unknown> | null)?.[inferenceWorkerMarker] === true;
if (!isMainThread && parentPort !== null && startedByPool)
  serveInferenceCommands(parentPort, new InferenceWorker());
