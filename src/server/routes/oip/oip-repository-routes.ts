import {
  repositoryIndexRequestSchema,
  repositoryLoadRequestSchema,
  repositoryUnloadRequestSchema,
} from '../../../wire/oip/repository-schemas.js';
import { badRequest } from '../../http/http-error.js';
import type { RequestContext } from '../../http/request-context.js';
import { jsonResponse } from '../../http/route-response.js';
import type { Route } from '../../http/route-table.js';
import type { DeploymentFile } from '../../models/deployment/deployment-files.js';
import type { LoadRequest } from '../../models/deployment/model-deployments.js';
import { isValidModelVersion } from '../../models/model-name-rules.js';
import { parseRequest } from '../parse-request.js';
import type { RouteServices } from '../route-services.js';

const filePattern = /^file:([^/]+)\/model\.onnx$/;

/** Triton clients send these bodies empty as often as `{}`. */
async function readOptionalJson(context: RequestContext): Promise<unknown> {
  return (await context.readBody()).length === 0 ? {} : context.readJson();
}

function decodeFile(key: string, value: unknown): DeploymentFile {
  const version = filePattern.exec(key)?.[1];
  if (version === undefined || !isValidModelVersion(version)) {
    throw badRequest(
      `The parameter '${key}' is not a file this server loads; name it file:<version>/model.onnx with a positive integer version.`,
      `parameters.${key}`,
    );
  }
  const bytes = typeof value === 'string' ? strictBase64(value) : undefined;
  if (bytes === undefined)
    throw badRequest(`The parameter '${key}' must be the file's bytes in base64.`, `parameters.${key}`);
  return { version, bytes };
}

/**
 * The bytes of a base64 text, or undefined if it is not one. Node's decoder skips what is not
 * base64 and stops at `=`, so a text with anything else in it decodes to fewer bytes than its
 * length promises. Checked this way instead of by a regular expression over the whole text, which
 * held the event loop about 40 ms for a 4 MiB model.
 */
function strictBase64(text: string): Buffer | undefined {
  // Node also reads the URL-safe alphabet; Triton's parameters are standard base64.
  if (text.length % 4 !== 0 || text.includes('-') || text.includes('_')) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === (text.length / 4) * 3 - padding ? bytes : undefined;
}

function loadRequestOf(parameters: Record<string, unknown>): LoadRequest {
  const request: LoadRequest = { files: [] };
  for (const [key, value] of Object.entries(parameters)) {
    if (key === 'config') {
      if (typeof value !== 'string')
        throw badRequest(
          'The parameter config must be a JSON string of the model configuration.',
          'parameters.config',
        );
      request.configText = value;
    } else if (key.startsWith('file:')) {
      request.files.push(decodeFile(key, value));
    }
  }
  return request;
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
      async handle(context) {
        const request = parseRequest(repositoryLoadRequestSchema, await readOptionalJson(context));
        const load = { ...loadRequestOf(request.parameters ?? {}), requestId: context.requestId };
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
