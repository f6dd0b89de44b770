import type { MessagePort } from 'node:worker_threads';
import type { InferenceCommand, InferenceReply } from './inference-messages.js';
import type { InferenceWorker } from './inference-worker.js';
import type { TensorValue } from './tensor-value.js';

/** The buffers of numeric outputs, moved instead of copied to the main thread. */
function transferablesOf(outputs: Record<string, TensorValue>): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const tensor of Object.values(outputs)) {
    if (!Array.isArray(tensor.data) && tensor.data.buffer instanceof ArrayBuffer) {
      buffers.push(tensor.data.buffer);
    }
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

async function execute(worker: InferenceWorker, command: InferenceCommand): Promise<InferenceReply> {
  switch (command.kind) {
    case 'load':
      return { id: command.id, ok: true, value: await worker.load(command.key, command.modelPath) };
    case 'run': {
      const result = await worker.run(command.key, command.feeds, command.outputNames);
      return { id: command.id, ok: true, value: { ...result, outputs: ownedCopies(result.outputs) } };
    }
    case 'unload':
      await worker.unload(command.key);
      return { id: command.id, ok: true, value: undefined };
    case 'close':
      await worker.close();
      return { id: command.id, ok: true, value: undefined };
  }
}

/**
 * The worker-thread side of the pool: runs each command on `worker` in arrival order and
 * posts the reply. onnxruntime's `run()` blocks this thread while it computes, which is the
 * point: the main thread's event loop stays free for HTTP.
 *
 * @example
 * if (parentPort !== null) serveInferenceCommands(parentPort, new InferenceWorker());
 */
export function serveInferenceCommands(port: MessagePort, worker: InferenceWorker): void {
  // One command at a time: a session is not re-entrant, and order keeps loads ahead of runs.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (command: InferenceCommand) => {
    queue = queue.then(async () => {
      let reply: InferenceReply;
      try {
        reply = await execute(worker, command);
      } catch (error) {
        reply = {
          id: command.id,
          ok: false,
          message: error instanceof Error ? error.message : String(error),
        };
      }
      const outputs =
        reply.ok && command.kind === 'run'
          ? (reply.value as { outputs: Record<string, TensorValue> }).outputs
          : {};
      port.postMessage(reply, transferablesOf(outputs));
    });
  });
}
