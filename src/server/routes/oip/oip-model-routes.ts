import type { RequestContext } from '../../http/request-context.js';
import { jsonResponse } from '../../http/route-response.js';
import type { Route } from '../../http/route-table.js';
import type { TensorSignature } from '../../inference/model-signature.js';
import type { ModelVersionEntry } from '../../models/model-registry.js';
import type { RouteServices } from '../route-services.js';
import { inferModel } from './infer-model.js';
import { datatypeOfOnnxType } from './oip-datatypes.js';

function tensorMetadata(tensor: TensorSignature) {
  // Models with types onnxruntime-node cannot exchange are never registered, so `type` is set here.
  return { name: tensor.name, datatype: datatypeOfOnnxType(tensor.type!), shape: tensor.shape };
}

/** The model version a request addresses: `/versions/{v}` when given, else the highest (the caller's deployed models included). */
export function resolveModelVersion(services: RouteServices, context: RequestContext): ModelVersionEntry {
  return services.registry.resolve(context.params.model!, context.params.version, context.tenant.id);
}

/** Registers a handler under both `/v2/models/{m}<suffix>` and `/v2/models/{m}/versions/{v}<suffix>`. */
function withAndWithoutVersion(
  method: Route['method'],
  suffix: string,
  handle: (context: RequestContext) => ReturnType<Route['handle']>,
): Route[] {
  return [
    { method, path: `/v2/models/:model${suffix}`, handle },
    { method, path: `/v2/models/:model/versions/:version${suffix}`, handle },
  ];
}

/**
 * The per-model OIP endpoints: metadata (inputs and outputs from the ONNX session, `-1`
 * for dynamic dimensions), readiness, and JSON-tensor inference.
 *
 * @example
 * const routes = oipModelRoutes(services);
 */
export function oipModelRoutes(services: RouteServices): Route[] {
  return [
    ...withAndWithoutVersion('GET', '', async (context) => {
      const entry = resolveModelVersion(services, context);
      const model = services.registry.get(entry.name, context.tenant.id)!;
      return jsonResponse({
        name: entry.name,
        versions: model.versions.map((version) => version.version),
        platform: 'onnxruntime_onnx',
        inputs: entry.signature.inputs.map(tensorMetadata),
        outputs: entry.signature.outputs.map(tensorMetadata),
      });
    }),
    ...withAndWithoutVersion('GET', '/ready', async (context) => {
      const entry = resolveModelVersion(services, context);
      const ready = services.isReady();
      return jsonResponse({ name: entry.name, version: entry.version, ready }, ready ? 200 : 503);
    }),
    ...withAndWithoutVersion('POST', '/infer', async (context) => {
      const entry = resolveModelVersion(services, context);
      // Taken in the same turn as the resolve: a reload or unload waits for this request to finish.
      const release = services.deployments.hold(entry);
      try {
        return jsonResponse(await inferModel(services, entry, context));
      } finally {
        release();
      }
    }),
  ];
}
