import type { HttpTransport } from '../../transport/http-transport.js';
import {
  type CursorPageParams,
  type FineTuningJobCreateParams,
  type FineTuningJobListParams,
  fineTuningJobCheckpointListSchema,
  fineTuningJobEventListSchema,
  fineTuningJobListSchema,
  fineTuningJobSchema,
} from '../../wire/openai/fine-tuning-schemas.js';
import { joinUrl } from '../base-provider.js';
import type { FineTuningOperations, ProviderCallOptions } from '../provider-types.js';
import { type CallHeaders, queryString, sendOpenAIJson } from './openai-json-request.js';

function pageQuery(params: CursorPageParams): string {
  return queryString({ after: params.after, limit: params.limit });
}

/** The page and OpenAI's metadata filter: `metadata[key]=value` per pair, `metadata=null` for none. */
function jobListQuery({ after, limit, metadata }: FineTuningJobListParams): string {
  const filter =
    metadata === null
      ? { metadata: 'null' }
      : Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [`metadata[${key}]`, value]));
  return queryString({ after, limit, ...filter });
}

/**
 * OpenAI's fine-tuning jobs API (`/v1/fine_tuning/jobs`) over the provider's transport, every
 * answer validated against the wire schemas.
 *
 * @example
 * const jobs = new OpenAIFineTuning(transport, 'http://127.0.0.1:8000/v1', headersOf);
 */
export class OpenAIFineTuning implements FineTuningOperations {
  readonly #transport: HttpTransport;
  readonly #root: string;
  readonly #callHeaders: CallHeaders;

  constructor(transport: HttpTransport, apiRoot: string, callHeaders: CallHeaders) {
    this.#transport = transport;
    this.#root = joinUrl(apiRoot, 'fine_tuning/jobs');
    this.#callHeaders = callHeaders;
  }

  #jobUrl(id: string, rest = ''): string {
    return `${this.#root}/${encodeURIComponent(id)}${rest}`;
  }

  create(params: FineTuningJobCreateParams, options: ProviderCallOptions) {
    const request = { method: 'POST' as const, url: this.#root, what: 'fine-tuning job', body: params };
    return sendOpenAIJson(this.#transport, this.#callHeaders, fineTuningJobSchema, request, options);
  }

  retrieve(id: string, options: ProviderCallOptions) {
    const request = { method: 'GET' as const, url: this.#jobUrl(id), what: 'fine-tuning job' };
    return sendOpenAIJson(this.#transport, this.#callHeaders, fineTuningJobSchema, request, options);
  }

  list(params: FineTuningJobListParams, options: ProviderCallOptions) {
    const request = {
      method: 'GET' as const,
      url: `${this.#root}${jobListQuery(params)}`,
      what: 'fine-tuning job list',
    };
    return sendOpenAIJson(this.#transport, this.#callHeaders, fineTuningJobListSchema, request, options);
  }

  cancel(id: string, options: ProviderCallOptions) {
    const request = { method: 'POST' as const, url: this.#jobUrl(id, '/cancel'), what: 'fine-tuning job' };
    return sendOpenAIJson(this.#transport, this.#callHeaders, fineTuningJobSchema, request, options);
  }

  listEvents(id: string, params: CursorPageParams, options: ProviderCallOptions) {
    const url = this.#jobUrl(id, `/events${pageQuery(params)}`);
    const request = { method: 'GET' as const, url, what: 'fine-tuning event list' };
    return sendOpenAIJson(this.#transport, this.#callHeaders, fineTuningJobEventListSchema, request, options);
  }

  listCheckpoints(id: string, params: CursorPageParams, options: ProviderCallOptions) {
    const url = this.#jobUrl(id, `/checkpoints${pageQuery(params)}`);
    const request = { method: 'GET' as const, url, what: 'fine-tuning checkpoint list' };
    return sendOpenAIJson(
      this.#transport,
      this.#callHeaders,
      fineTuningJobCheckpointListSchema,
      request,
      options,
    );
  }
}
