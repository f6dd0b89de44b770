import { jsonResponse } from '../../http/route-response.js';
import type { Route } from '../../http/route-table.js';
import type { RouteServices } from '../route-services.js';

/**
 * `GET /health` (vLLM's liveness check): 200 while serving, 503 once closing. Needs no key.
 *
 * @example
 * const routes = [healthRoute(services)];
 */
export function healthRoute(services: RouteServices): Route {
  return {
    method: 'GET',
    path: '/health',
    public: true,
    async handle() {
      return services.isReady() ? jsonResponse({ status: 'ok' }) : jsonResponse({ status: 'closing' }, 503);
    },
  };
}
