import type { MessagePort } from 'node:worker_threads';
import { ContinuousDecodeBatcher } from './continuous-decode-batcher.js';
import { packDecodeReport } from './decode-report-codec.js';
import type {
  InferenceCommand,
  InferenceCommandResults,
  WorkerMessage,
  WorkerReply,
} from './inference-messages.js';
import type { InferenceWorker } from './inference-worker.js';
import type { DecodeReport, DecoderSpec } from './sequence-messages.js';
import type { TensorValue } from './tensor-value.js';

/** The buffers of numeric outputs, moved instead of copied to the main thread. */
function transferablesOf(outputs: Record<string, TensorValue>): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const tensor of Object.values(outputs)) {
    if (!Array.isArray(tensor.data) && tensor.data.buffer instanceof ArrayBuffer)
      buffers.push(tensor.data.buffer);
  }
  return buffers;
}

/** onnxruntime may hand out views of memory it owns; a private copy is always safe to transfer. */
function ownedCopies(outputs: Record<string, TensorValue>): Record<string, TensorValue> {
  const copies: Record<string, TensorValue> = {};
  for (const [name, tensor] of Object.entries(outputs)) {
    copies[name] = {
      type: tensor.type,
      dims: [...tensor.dims],
      data: tensor.data.slice() as TensorValue['data'],
    };
  }
  return copies;
}

/**
 * Serves one {@link InferenceWorker} (and the decode batchers of its chat models) to whoever
 * sends {@link WorkerMessage}s: in a worker thread, the main thread through a message port;
 * in-process, the engine directly.
 *
 * @example
 * const server = new InferenceCommandServer(new InferenceWorker(), (reply) => port.postMessage(reply));
 * port.on('message', (message) => server.receive(message));
 */
export class InferenceCommandServer {
  readonly #worker: InferenceWorker;
  readonly #send: (reply: WorkerReply, transfer?: ArrayBuffer[]) => void;
  readonly #decoders = new Map<string, ContinuousDecodeBatcher>();
  // One thing at a time: a session is not re-entrant, and order keeps loads ahead of runs.
  #queue: Promise<void> = Promise.resolve();

  constructor(worker: InferenceWorker, send: (reply: WorkerReply, transfer?: ArrayBuffer[]) => void) {
    this.#worker = worker;
    this.#send = send;
  }

  receive(message: WorkerMessage): void {
    if ('id' in message) {
      this.#enqueue(() => this.#answer(message));
      return;
    }
    const decoder = this.#decoders.get(message.key);
    if (decoder === undefined) {
      const sequenceIds =
        message.kind === 'step-sequences'
          ? message.sequenceIds
          : message.kind === 'open-sequence'
            ? [message.sequenceId]
            : [];
      const error = `No decoder is loaded for '${message.key}'.`;
      const answers = sequenceIds.map((sequenceId) => ({ sequenceId, error, computeMilliseconds: 0 }));
      if (answers.length > 0)
        this.#report({ key: message.key, answers, rows: 0, computeMilliseconds: 0, queueMilliseconds: 0 });
      return;
    }
    if (message.kind === 'open-sequence')
      decoder.open(message.sequenceId, message.promptIds, message.options, message.credit);
    else if (message.kind === 'close-sequence') decoder.close(message.sequenceId);
    else for (const sequenceId of message.sequenceIds) decoder.grantStep(sequenceId);
  }

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task);
  }

  #report(report: DecodeReport): void {
    this.#send({ report: packDecodeReport(report) });
  }

  async #answer(command: InferenceCommand): Promise<void> {
    let reply: WorkerReply;
    let transfer: ArrayBuffer[] = [];
    try {
      const value = await this.#execute(command);
      reply = { id: command.id, ok: true, value };
      if (command.kind === 'run')
        transfer = transferablesOf((value as { outputs: Record<string, TensorValue> }).outputs);
    } catch (error) {
      reply = { id: command.id, ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    this.#send(reply, transfer);
  }

  async #execute(command: InferenceCommand): Promise<InferenceCommandResults[InferenceCommand['kind']]> {
    switch (command.kind) {
      case 'load':
        return this.#worker.load(command.key, command.modelPath);
      case 'run': {
        const result = await this.#worker.run(command.key, command.feeds, command.outputNames);
        return { ...result, outputs: ownedCopies(result.outputs) };
      }
      case 'unload':
        this.#decoders.delete(command.key);
        await this.#worker.unload(command.key);
        return undefined;
      case 'load-decoder':
        return this.loadDecoder(command.key, command.spec);
      case 'close':
        this.#decoders.clear();
        await this.#worker.close();
        return undefined;
    }
  }

  /** Prepares decoding for a loaded chat model: its tokenizer and a batcher over its session. */
  async loadDecoder(key: string, spec: DecoderSpec): Promise<undefined> {
    const { ChatTokenizer } = await import('../generation/chat-tokenizer.js');
    const tokenizer = await ChatTokenizer.load(spec.modelDirectory);
    const runLogits = async (contexts: BigInt64Array, rows: number) => {
      const { contextLength } = tokenizer;
      const feeds = {
        [spec.inputName]: { type: 'int64' as const, dims: [rows, contextLength], data: contexts },
      };
      const { outputs, computeMilliseconds } = await this.#worker.run(key, feeds, [spec.outputName]);
      return { logits: outputs[spec.outputName]!.data as Float32Array, computeMilliseconds };
    };
    this.#decoders.set(
      key,
      new ContinuousDecodeBatcher({
        key,
        tokenizer,
        runLogits,
        maxBatchSize: spec.maxBatchSize ?? 32,
        report: (report) => this.#report(report),
        enqueue: (task) => this.#enqueue(task),
      }),
    );
    return undefined;
  }
}

/**
 * The worker-thread side of the pool: serves `worker` on `port`. onnxruntime's `run()` and
 * sampling block this thread while they compute, which is the point: the main thread's
 * event loop stays free for HTTP.
 *
 * @example
 * if (parentPort !== null) serveInferenceCommands(parentPort, new InferenceWorker());
 */
export function serveInferenceCommands(port: MessagePort, worker: InferenceWorker): void {
  const server = new InferenceCommandServer(worker, (reply, transfer) =>
    port.postMessage(reply, transfer ?? []),
  );
  port.on('message', (message: WorkerMessage) => server.receive(message));
}
