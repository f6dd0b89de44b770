import type { Route } from '../http/route-table.js';
import { prometheusContentType } from './prometheus-text.js';
import type { ServerMetrics } from './server-metrics.js';

/**
 * `GET /metrics`: the server's metrics in the Prometheus text format. Public like `/health`
 * (scrapers rarely carry API keys); it shows counts per model, never tenants or keys.
 *
 * @example
 * const routes = [...openAIRoutes(services), metricsRoute(metrics)];
 */
export function metricsRoute(metrics: ServerMetrics): Route {
  return {
    method: 'GET',
    path: '/metrics',
    public: true,
    async handle() {
      const body = Buffer.from(metrics.render(), 'utf8');
      return { kind: 'raw', status: 200, body, headers: { 'content-type': prometheusContentType } };
    },
  };
}
