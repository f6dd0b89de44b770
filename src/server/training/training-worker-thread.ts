// A training thread: receives one TrainCommand, runs trainNetwork (or the window language model's trainer), posts every epoch's report and
// the final parameters (their buffers transferred, not copied), then ends.
import { isMainThread, parentPort } from 'node:worker_threads';
import { InvalidOptionError } from '../../errors/index.js';
import { trainNetwork } from './train-network.js';
import type { EpochReport } from './training-contract.js';
import {
  type TrainCommand,
  type TrainingFailure,
  type TrainingReply,
  transferList,
} from './training-messages.js';
import { isWindowTrainingSpec, trainWindowLanguageModel } from './window-training.js';

function failureOf(error: unknown): TrainingFailure {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  if (error instanceof InvalidOptionError)
    return { name: error.name, message: error.message, option: error.option, allowed: error.allowed };
  return { name: error.name, message: error.message };
}

if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  port.once('message', ({ spec, train, valid, resume, cancelFlag }: TrainCommand) => {
    const flag = new Int32Array(cancelFlag);
    const post = (reply: TrainingReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);
    try {
      const options = {
        signal: {
          get aborted() {
            return Atomics.load(flag, 0) === 1;
          },
        },
        resume,
        onEpoch: (report: EpochReport) =>
          post(
            { kind: 'epoch', report },
            transferList([...report.parameters, ...report.resumeState.optimizerState]),
          ),
      };
      const parameters = isWindowTrainingSpec(spec)
        ? trainWindowLanguageModel(spec, train, valid, options)
        : trainNetwork(spec, train, valid, options);
      post({ kind: 'done', parameters }, transferList(parameters));
    } catch (error) {
      post({ kind: 'failed', error: failureOf(error) });
    }
  });
}
