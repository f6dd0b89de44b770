import type { Route } from '../../http/route-table.js';
import type { RouteServices } from '../route-services.js';
import { oipModelRoutes } from './oip-model-routes.js';
import { oipRepositoryRoutes } from './oip-repository-routes.js';
import { oipServerRoutes } from './oip-server-routes.js';

/** The Open Inference Protocol v2 endpoints under `/v2`. */
export function oipRoutes(services: RouteServices): Route[] {
  return [...oipServerRoutes(services), ...oipModelRoutes(services), ...oipRepositoryRoutes(services)];
}
