import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import type { FileDeleted, FileListParams, FileObject, FilePurpose } from '../../wire/openai/file-schemas.js';
import type { APIPromise } from '../api-promise.js';
import { type ClientContext, executeCall } from '../client-context.js';
import type { RequestOptions } from '../request-options.js';
import { invalidRequest } from '../request-validation.js';
import { FilePage, FilePagePromise } from './file-page.js';

/** What `client.files.create` uploads: bytes with a filename, a Blob or File, or a path on disk. */
export interface FileCreateParams {
  /** A `Blob`/`File`, a `Uint8Array` (a `Buffer`), or the path of a file to read. */
  file: Blob | Uint8Array | string;
  /** The uploaded name; defaults to a `File`'s name, a path's base name, or `file`. */
  filename?: string | undefined;
  purpose: FilePurpose | (string & {});
  /** Removes the file this many seconds after its creation. */
  expires_after?: { anchor: 'created_at'; seconds: number } | undefined;
}

async function uploadForm(params: FileCreateParams): Promise<FormData> {
  const { file } = params;
  let blob: Blob;
  let name = params.filename;
  if (typeof file === 'string') {
    // Read lazily from disk: the file's bytes are taken only as the form is encoded.
    blob = await openAsBlob(file);
    name ??= basename(file);
  } else if (file instanceof Blob) {
    blob = file;
    name ??= file instanceof File ? file.name : undefined;
  } else if (file instanceof Uint8Array) {
    blob = new Blob([file]);
  } else {
    throw invalidRequest('file', 'a Blob, File, Uint8Array or file path is required');
  }
  const form = new FormData();
  form.append('purpose', params.purpose);
  if (params.expires_after !== undefined) {
    form.append('expires_after[anchor]', params.expires_after.anchor);
    form.append('expires_after[seconds]', String(params.expires_after.seconds));
  }
  form.append('file', blob, name ?? 'file');
  return form;
}

function requireFileId(id: unknown): string {
  if (typeof id === 'string' && id !== '') return id;
  throw invalidRequest('file_id', 'a non-empty file id is required');
}

/** `client.files`: OpenAI's files API (the openai provider only; others throw `UnsupportedOperationError`). */
export class Files {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
  }

  /**
   * Uploads a file, e.g. training data for fine-tuning.
   *
   * @example
   * const file = await client.files.create({ file: './train.jsonl', purpose: 'fine-tune' });
   */
  create(params: FileCreateParams, options: RequestOptions = {}): APIPromise<FileObject> {
    return executeCall(this.#context, 'files.create', options, () => {
      if (typeof params?.purpose !== 'string' || params.purpose === '')
        throw invalidRequest('purpose', 'a purpose such as "fine-tune" is required');
      const operations = this.#context.provider.doFiles();
      const form = uploadForm(params);
      // A failed read (a missing path) is reported by the call, never as an unhandled rejection.
      form.catch(() => {});
      return async (providerOptions) => operations.create(await form, providerOptions);
    });
  }

  /**
   * One page of files; `for await` over the result walks every page.
   *
   * @example
   * for await (const file of client.files.list({ purpose: 'fine-tune' })) console.log(file.id);
   */
  list(params: FileListParams = {}, options: RequestOptions = {}): FilePagePromise {
    const fetchPage = (pageParams: FileListParams): FilePagePromise =>
      new FilePagePromise(
        executeCall(this.#context, 'files.list', options, () => {
          const operations = this.#context.provider.doFiles();
          return (providerOptions) => operations.list(pageParams, providerOptions);
        })
          .withResponse()
          .then((result) => ({ ...result, data: new FilePage(result.data, pageParams, fetchPage) })),
      );
    return fetchPage(params);
  }

  /** @example const file = await client.files.retrieve('file-abc'); */
  retrieve(id: string, options: RequestOptions = {}): APIPromise<FileObject> {
    return executeCall(this.#context, 'files.retrieve', options, () => {
      const fileId = requireFileId(id);
      const operations = this.#context.provider.doFiles();
      return (providerOptions) => operations.retrieve(fileId, providerOptions);
    });
  }

  /** The file's bytes. @example const bytes = await client.files.content('file-abc'); */
  content(id: string, options: RequestOptions = {}): APIPromise<Uint8Array> {
    return executeCall(this.#context, 'files.content', options, () => {
      const fileId = requireFileId(id);
      const operations = this.#context.provider.doFiles();
      return (providerOptions) => operations.content(fileId, providerOptions);
    });
  }

  /** Deletes the file and its bytes. @example await client.files.delete('file-abc'); */
  delete(id: string, options: RequestOptions = {}): APIPromise<FileDeleted> {
    return executeCall(this.#context, 'files.delete', options, () => {
      const fileId = requireFileId(id);
      const operations = this.#context.provider.doFiles();
      return (providerOptions) => operations.delete(fileId, providerOptions);
    });
  }
}
