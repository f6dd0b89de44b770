import { readFile } from 'node:fs/promises';
import { ValidationError } from '../../errors/index.js';
import type { RepositoryIndexEntry, RepositoryLoadRequest } from '../../wire/oip/repository-schemas.js';
import type { APIPromise } from '../api-promise.js';
import { type ClientContext, executeCall } from '../client-context.js';
import type { RequestOptions } from '../request-options.js';
import { requireModelName } from './models-resource.js';

/** One version's ONNX file: its bytes, or the path of a file to read. */
export type RepositoryModelFile = Uint8Array | string;

/** What `inference.repository.load` sends: a Triton model configuration and files by version. */
export interface RepositoryLoadOptions extends RequestOptions {
  /** The model configuration (Triton's JSON form), as an object or a JSON string. */
  config?: Record<string, unknown> | string | undefined;
  /** ONNX files by version, e.g. `{ 1: bytes }` or `{ 2: './model.onnx' }`; none reloads what the server has. */
  files?: Readonly<Record<string | number, RepositoryModelFile>> | undefined;
}

/** Options of `inference.repository.index`. */
export interface RepositoryIndexOptions extends RequestOptions {
  /** Only the models ready for inference. */
  ready?: boolean | undefined;
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(`Invalid request: ${path}: ${message}`, {
    issues: [{ path, message }],
    subject: 'request',
  });
}

async function fileBytes(version: string, file: RepositoryModelFile): Promise<Uint8Array> {
  if (typeof file !== 'string') return file;
  try {
    return await readFile(file);
  } catch (error) {
    throw invalid(`files.${version}`, `cannot read ${file}: ${(error as Error).message}`);
  }
}

async function loadRequest(options: RepositoryLoadOptions): Promise<RepositoryLoadRequest> {
  const parameters: Record<string, string> = {};
  if (options.config !== undefined) {
    parameters.config = typeof options.config === 'string' ? options.config : JSON.stringify(options.config);
  }
  for (const [version, file] of Object.entries(options.files ?? {})) {
    if (!/^[1-9][0-9]*$/.test(version)) throw invalid(`files.${version}`, 'a version is a positive integer');
    const bytes = await fileBytes(version, file);
    parameters[`file:${version}/model.onnx`] = Buffer.from(
      bytes.buffer,
      bytes.byteOffset,
      bytes.byteLength,
    ).toString('base64');
  }
  return { parameters };
}

/**
 * `client.inference.repository`: Triton's model repository extension (Triton, aiaas/server).
 * On aiaas/server a load with files deploys your own ONNX model under your API key.
 *
 * @example
 * await client.inference.repository.load('iris', { config: { max_batch_size: 8 }, files: { 1: './iris.onnx' } });
 * const models = await client.inference.repository.index({ ready: true });
 * await client.inference.repository.unload('iris');
 */
export class InferenceRepository {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
  }

  /** Every model the server can serve you, one entry per version, with its state and why. */
  index(options: RepositoryIndexOptions = {}): APIPromise<RepositoryIndexEntry[]> {
    return executeCall(
      this.#context,
      'inference.repository.index',
      options,
      () => (providerOptions) => this.#context.provider.doRepositoryIndex(options.ready, providerOptions),
    );
  }

  /** Loads or reloads a model; resolves once it is READY (a 400 `APIError` says why it is not). */
  load(model: string, options: RepositoryLoadOptions = {}): APIPromise<void> {
    return executeCall(this.#context, 'inference.repository.load', options, () => {
      const name = requireModelName(model);
      // Files are read once, on the first attempt; a retry sends the same bytes.
      let request: Promise<RepositoryLoadRequest> | undefined;
      return async (providerOptions) => {
        request ??= loadRequest(options);
        return this.#context.provider.doRepositoryLoad(name, await request, providerOptions);
      };
    });
  }

  /** Unloads a model once its in-flight requests have finished. */
  unload(model: string, options: RequestOptions = {}): APIPromise<void> {
    return executeCall(this.#context, 'inference.repository.unload', options, () => {
      const name = requireModelName(model);
      return (providerOptions) => this.#context.provider.doRepositoryUnload(name, providerOptions);
    });
  }
}
