import { jsonResponse } from '../../http/route-response.js';
import type { Route } from '../../http/route-table.js';
import { serverName, serverVersion } from '../../server-version.js';
import type { RouteServices } from '../route-services.js';

/**
 * `GET /v2` (server metadata), `GET /v2/health/live` and `GET /v2/health/ready`. Health
 * needs no key; readiness turns 503 once the server is closing so balancers stop sending.
 *
 * @example
 * const routes = oipServerRoutes(services);
 */
export function oipServerRoutes(services: RouteServices): Route[] {
  return [
    {
      method: 'GET',
      path: '/v2',
      async handle() {
        return jsonResponse({ name: serverName, version: serverVersion, extensions: ['model_repository'] });
      },
    },
    {
      method: 'GET',
      path: '/v2/health/live',
      public: true,
      async handle() {
        return jsonResponse({ live: true });
      },
    },
    {
      method: 'GET',
      path: '/v2/health/ready',
      public: true,
      async handle() {
        const ready = services.isReady();
        return jsonResponse({ ready }, ready ? 200 : 503);
      },
    },
  ];
}
