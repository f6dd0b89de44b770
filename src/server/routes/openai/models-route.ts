import { jsonResponse } from '../../http/route-response.js';
import type { Route } from '../../http/route-table.js';
import type { RouteServices } from '../route-services.js';

/**
 * `GET /v1/models`: every served model, built-in ones owned by `aiaas`, repository ones by
 * `repository`, and the caller's own deployed (e.g. fine-tuned) ones, owned by the caller.
 *
 * @example
 * const routes = [modelsRoute(services)];
 */
export function modelsRoute(services: RouteServices): Route {
  return {
    method: 'GET',
    path: '/v1/models',
    async handle(context) {
      const tenant = context.tenant.id;
      const shared = services.registry.names();
      const own = services.deployments
        .index(tenant, true)
        .map((row) => row.name)
        .filter((name, index, names) => !shared.includes(name) && names.indexOf(name) === index);
      const data = [...shared, ...own].map((name) => {
        const source = services.registry.get(name, tenant)?.source;
        return {
          id: name,
          object: 'model',
          created: services.startedAtSeconds,
          owned_by: source === 'repository' ? 'repository' : source === 'deployed' ? tenant : 'aiaas',
        };
      });
      return jsonResponse({ object: 'list', data });
    },
  };
}

/**
 * `GET /v1/models/{model}`: one model (a shared one, or the caller's own deployed one), or a 404.
 *
 * @example
 * const routes = [modelRoute(services)];
 */
export function modelRoute(services: RouteServices): Route {
  return {
    method: 'GET',
    path: '/v1/models/:model',
    async handle(context) {
      const name = context.params.model!;
      const tenant = context.tenant.id;
      // A tenant's own deployed (e.g. fine-tuned) models are found too, owned by that tenant.
      const model = services.registry.resolve(name, undefined, tenant);
      const source = services.registry.get(name, tenant)?.source;
      return jsonResponse({
        id: model.name,
        object: 'model',
        created: services.startedAtSeconds,
        owned_by: source === 'repository' ? 'repository' : source === 'deployed' ? tenant : 'aiaas',
      });
    },
  };
}
