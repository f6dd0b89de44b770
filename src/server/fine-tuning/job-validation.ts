import type { FileStore } from '../files/file-store.js';
import { HttpError } from '../http/http-error.js';
import { refChatTokenizer } from '../models/ref-chat-base.js';
import { windowsAsExamples } from '../training/context-windows.js';
import type { TrainingExamples } from '../training/training-contract.js';
import { parseChatFile, trainedWindows } from './chat-training-data.js';
import type { JobRecord } from './job-record.js';
import { parseTrainingFile, TrainingDataError } from './training-data.js';

/** A job's files, read and checked: what the trainer gets. */
export interface ValidatedData {
  train: TrainingExamples;
  valid: TrainingExamples | undefined;
  /** The training file's size: the bytes one epoch trains on. */
  trainBytes: number;
}

async function contentOf(
  files: FileStore,
  tenant: string,
  id: string,
  param: 'training_file' | 'validation_file',
): Promise<Buffer> {
  try {
    return await files.content(tenant, id);
  } catch (error) {
    if (error instanceof HttpError && error.status === 404)
      throw new TrainingDataError(
        `${param} ${id} no longer exists (deleted or expired).`,
        param,
        'file_not_found',
      );
    throw error;
  }
}

/** A chat JSONL file as next-token windows on the assistant's tokens (a ref-chat job's examples). */
async function parseChatExamples(
  bytes: Buffer,
  fileId: string,
  param: 'training_file' | 'validation_file',
  maxTokens: number,
): Promise<TrainingExamples> {
  const tokenizer = await refChatTokenizer();
  const documents = await parseChatFile(bytes, fileId, tokenizer, param, maxTokens);
  const windows = trainedWindows(documents, tokenizer.contextLength, tokenizer.padId);
  if (windows.count === 0)
    throw new TrainingDataError(
      `${param} ${fileId}: no assistant token to train on (every assistant message has weight 0).`,
      param,
    );
  return windowsAsExamples(windows);
}

/**
 * Reads the job's training (and validation) file and checks every line against the network
 * it trains (chat JSONL for ref-chat, at most `maxChatTokens` tokens a file); a problem is a {@link TrainingDataError} naming the file, the line and what is wrong.
 *
 * @example
 * const data = await validateJobFiles(job, files, 7_000_000); // data.train.rows
 */
export async function validateJobFiles(
  job: JobRecord,
  files: FileStore,
  maxChatTokens: number,
): Promise<ValidatedData> {
  const { request, plan, tenant } = job;
  const parse = (bytes: Buffer, fileId: string, param: 'training_file' | 'validation_file') =>
    plan.languageModel === undefined
      ? parseTrainingFile(bytes, fileId, plan.shape, param)
      : parseChatExamples(bytes, fileId, param, maxChatTokens);
  const trainBytes = await contentOf(files, tenant, request.trainingFile, 'training_file');
  const train = await parse(trainBytes, request.trainingFile, 'training_file');
  let valid: TrainingExamples | undefined;
  if (request.validationFile !== null) {
    const bytes = await contentOf(files, tenant, request.validationFile, 'validation_file');
    valid = await parse(bytes, request.validationFile, 'validation_file');
  }
  return { train, valid, trainBytes: trainBytes.length };
}
