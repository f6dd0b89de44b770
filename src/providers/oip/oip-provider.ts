import { z } from 'zod';
import { APIError } from '../../errors/index.js';
import {
  type InferRequest,
  inferResponseSchema,
  type ModelMetadata,
  modelMetadataSchema,
  readinessSchema,
  type ServerMetadata,
  serverMetadataSchema,
} from '../../wire/oip/oip-schemas.js';
import {
  type RepositoryIndexEntry,
  type RepositoryLoadRequest,
  repositoryIndexSchema,
} from '../../wire/oip/repository-schemas.js';
import type { ModelList } from '../../wire/openai/model-schemas.js';
import { BaseProvider, encodeModelPath, joinUrl, type ProviderContext } from '../base-provider.js';
import type { ModelVersionOptions, ProviderCallOptions, ProviderResult } from '../provider-types.js';
import type { InferResult } from './decoded-tensor.js';
import { decodeInferResponse } from './tensor-decoding.js';

/** Statuses that mean "not ready" rather than a failed call: Triton answers 400, KServe 503, unknown models 404. */
const notReadyStatuses = new Set([400, 404, 409, 503]);

/** The server root of an OIP server: a trailing `/v2` in the base URL is dropped. */
export function oipServerRoot(baseURL: string): string {
  return new URL(baseURL).toString().replace(/\/+$/, '').replace(/\/v2$/, '');
}

/** Open Inference Protocol v2 servers: Triton, KServe, MLServer, `aiaas/server`. */
export class OIPProvider extends BaseProvider {
  readonly name = 'oip' as const;

  constructor(context: ProviderContext) {
    super({ ...context, baseURL: oipServerRoot(context.baseURL) });
  }

  #modelUrl(model: string, version: ModelVersionOptions, suffix = ''): string {
    const versionPath =
      version.version === undefined ? '' : `/versions/${encodeURIComponent(version.version)}`;
    return joinUrl(this.baseURL, `v2/models/${encodeModelPath(model)}${versionPath}${suffix}`);
  }

  override doServerMetadata(options: ProviderCallOptions): Promise<ProviderResult<ServerMetadata>> {
    return this.sendJson(
      serverMetadataSchema,
      'GET',
      joinUrl(this.baseURL, 'v2'),
      undefined,
      'server metadata',
      options,
    );
  }

  override doModelMetadata(
    model: string,
    version: ModelVersionOptions,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<ModelMetadata>> {
    return this.sendJson(
      modelMetadataSchema,
      'GET',
      this.#modelUrl(model, version),
      undefined,
      'model metadata',
      options,
    );
  }

  /** True on 200 (unless the body says `ready: false`); false for the statuses servers use for "not ready". */
  override async doModelReady(
    model: string,
    version: ModelVersionOptions,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<boolean>> {
    try {
      const url = this.#modelUrl(model, version, '/ready');
      const { data, response } = await this.sendJson(
        readinessSchema.optional(),
        'GET',
        url,
        undefined,
        'readiness',
        options,
      );
      return { data: data?.ready !== false, response };
    } catch (error) {
      if (error instanceof APIError && notReadyStatuses.has(error.status)) {
        return {
          data: false,
          response: { status: error.status, headers: error.headers, requestId: error.requestId },
        };
      }
      throw error;
    }
  }

  override async doInfer(
    model: string,
    request: InferRequest,
    version: ModelVersionOptions,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<InferResult>> {
    const url = this.#modelUrl(model, version, '/infer');
    const { data, response } = await this.sendJson(
      inferResponseSchema,
      'POST',
      url,
      request,
      'infer response',
      options,
    );
    return { data: decodeInferResponse(data, response.requestId), response };
  }

  override doRepositoryIndex(
    ready: boolean | undefined,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<RepositoryIndexEntry[]>> {
    const url = joinUrl(this.baseURL, 'v2/repository/index');
    const body = ready === undefined ? {} : { ready };
    return this.sendJson(repositoryIndexSchema, 'POST', url, body, 'repository index', options);
  }

  override async doRepositoryLoad(
    model: string,
    request: RepositoryLoadRequest,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<void>> {
    const url = joinUrl(this.baseURL, `v2/repository/models/${encodeModelPath(model)}/load`);
    // Triton answers an empty body, aiaas/server `{}`: nothing in it is read.
    const { response } = await this.sendJson(z.unknown(), 'POST', url, request, 'repository load', options);
    return { data: undefined, response };
  }

  override async doRepositoryUnload(
    model: string,
    options: ProviderCallOptions,
  ): Promise<ProviderResult<void>> {
    const url = joinUrl(this.baseURL, `v2/repository/models/${encodeModelPath(model)}/unload`);
    const { response } = await this.sendJson(z.unknown(), 'POST', url, {}, 'repository unload', options);
    return { data: undefined, response };
  }

  /** Lists models through the repository extension (`POST /v2/repository/index`, Triton and aiaas/server). */
  override async doListModels(options: ProviderCallOptions): Promise<ProviderResult<ModelList>> {
    const url = joinUrl(this.baseURL, 'v2/repository/index');
    const { data, response } = await this.sendJson(
      repositoryIndexSchema,
      'POST',
      url,
      {},
      'repository index',
      options,
    );
    const names = [...new Set(data.map((entry) => entry.name))];
    return {
      data: {
        object: 'list',
        data: names.map((name) => ({ id: name, object: 'model', created: 0, owned_by: 'oip' })),
      },
      response,
    };
  }
}
