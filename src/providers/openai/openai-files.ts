import type { z } from 'zod';
import type { HttpTransport } from '../../transport/http-transport.js';
import type { HttpMethod } from '../../transport/transport-types.js';
import {
  type FileListParams,
  fileDeletedSchema,
  fileListSchema,
  fileObjectSchema,
} from '../../wire/openai/file-schemas.js';
import { joinUrl } from '../base-provider.js';
import type { FileOperations, ProviderCallOptions, ProviderResult } from '../provider-types.js';
import { type CallHeaders, queryString, sendOpenAIJson } from './openai-json-request.js';

/**
 * OpenAI's files API over the provider's transport: JSON answers validated against the wire
 * schemas, the upload sent as multipart, the content read as raw bytes.
 *
 * @example
 * const files = new OpenAIFiles(transport, 'http://127.0.0.1:8000/v1', headersOf);
 */
export class OpenAIFiles implements FileOperations {
  readonly #transport: HttpTransport;
  readonly #root: string;
  readonly #callHeaders: CallHeaders;

  constructor(transport: HttpTransport, apiRoot: string, callHeaders: CallHeaders) {
    this.#transport = transport;
    this.#root = joinUrl(apiRoot, 'files');
    this.#callHeaders = callHeaders;
  }

  #send<Schema extends z.ZodType>(
    schema: Schema,
    method: HttpMethod,
    url: string,
    what: string,
    options: ProviderCallOptions,
    form?: FormData,
  ): Promise<ProviderResult<z.output<Schema>>> {
    return sendOpenAIJson(this.#transport, this.#callHeaders, schema, { method, url, what, form }, options);
  }

  #fileUrl(id: string): string {
    return `${this.#root}/${encodeURIComponent(id)}`;
  }

  create(form: FormData, options: ProviderCallOptions) {
    return this.#send(fileObjectSchema, 'POST', this.#root, 'file', options, form);
  }

  list(params: FileListParams, options: ProviderCallOptions) {
    return this.#send(
      fileListSchema,
      'GET',
      `${this.#root}${queryString({ purpose: params.purpose, after: params.after, limit: params.limit, order: params.order })}`,
      'file list',
      options,
    );
  }

  retrieve(id: string, options: ProviderCallOptions) {
    return this.#send(fileObjectSchema, 'GET', this.#fileUrl(id), 'file', options);
  }

  async content(id: string, options: ProviderCallOptions): Promise<ProviderResult<Uint8Array>> {
    const headers = this.#callHeaders('GET', options);
    const response = await this.#transport.requestStream(
      { method: 'GET', url: `${this.#fileUrl(id)}/content`, headers },
      options,
    );
    const chunks: Uint8Array[] = [];
    for await (const chunk of response.body) chunks.push(chunk);
    const { body: _body, bodyByteCount: _count, ...info } = response;
    return { data: new Uint8Array(Buffer.concat(chunks)), response: info };
  }

  delete(id: string, options: ProviderCallOptions) {
    return this.#send(fileDeletedSchema, 'DELETE', this.#fileUrl(id), 'deleted file', options);
  }
}
