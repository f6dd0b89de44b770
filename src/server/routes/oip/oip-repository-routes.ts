import {
  repositoryIndexRequestSchema,
  repositoryUnloadRequestSchema,
} from '../../../wire/oip/repository-schemas.js';
import type { RequestContext } from '../../http/request-context.js';
import { jsonResponse } from '../../http/route-response.js';
import type { Route } from '../../http/route-table.js';
import { parseRequest } from '../parse-request.js';
import type { RouteServices } from '../route-services.js';
import { LoadBodyDecoder } from './load-body-decoder.js';

/** Triton clients send these bodies empty as often as `{}`. */
async function readOptionalJson(context: RequestContext): Promise<unknown> {
  return (await context.readBody()).length === 0 ? {} : context.readJson();
}

/**
 * Triton's model repository extension: `POST /v2/repository/index` lists every model the
 * caller may use with its state, and `POST /v2/repository/models/{name}/load` and `/unload`
 * deploy and remove the caller's own models (see `models/deployment/`). Answers are Triton's
 * shapes: the index an array, load and unload an empty 200, errors `{"error": "..."}`.
 *
 * @example
 * const routes = oipRepositoryRoutes(services);
 */
export function oipRepositoryRoutes(services: RouteServices): Route[] {
  const { deployments } = services;
  const loadBodies = new LoadBodyDecoder();
  return [
    {
      method: 'POST',
      path: '/v2/repository/index',
      async handle(context) {
        const request = parseRequest(repositoryIndexRequestSchema, await readOptionalJson(context));
        return jsonResponse(deployments.index(context.tenant.id, request.ready === true));
      },
    },
    {
      method: 'POST',
      path: '/v2/repository/models/:model/load',
      bodyBuffer: (length) => loadBodies.bodyBuffer(length),
      async handle(context) {
        const body = await context.readBody();
        const decoded = await loadBodies.decode(body, () => deployments.files.uploadPrefix());
        const load = { ...decoded, requestId: context.requestId };
        await deployments.load(context.tenant.id, context.params.model!, load);
        return jsonResponse({});
      },
    },
    {
      method: 'POST',
      path: '/v2/repository/models/:model/unload',
      async handle(context) {
        parseRequest(repositoryUnloadRequestSchema, await readOptionalJson(context));
        await deployments.unload(context.tenant.id, context.params.model!);
        return jsonResponse({});
      },
    },
  ];
}
