import { HttpError } from './http-error.js';
import type { RequestContext } from './request-context.js';
import type { RouteResponse } from './route-response.js';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/**
 * One endpoint. `path` uses `:name` segments for parameters, e.g.
 * `/v2/models/:model/versions/:version/infer`.
 *
 * @example
 * const route: Route = { method: 'GET', path: '/health', public: true, handle: async () => jsonResponse({}) };
 */
export interface Route {
  method: HttpMethod;
  path: string;
  /** Answered without an API key (health checks). */
  public?: boolean;
  /**
   * A control request about another call (cancelling a stream): the `Idempotency-Key` it
   * carries names that call, not this request, so faults, rate limits, idempotency and
   * billing leave it alone and it never counts as an attempt of that call.
   */
  control?: boolean;
  /**
   * The route reads its (possibly huge) body itself as a stream ({@link RequestContext.bodyChunks}):
   * interceptors see an empty body, and it takes no Idempotency-Key (replaying it would need the bytes).
   */
  streamsBody?: boolean;
  /**
   * Where a large body of declared length is read to, instead of a fresh buffer (undefined: a
   * fresh one): a route that hands its bodies to a thread lends shared memory it reuses, and
   * may lend it again once it is done with the body, so nothing reads the body after the route.
   */
  bodyBuffer?: (length: number) => Buffer | undefined;
  handle(context: RequestContext): Promise<RouteResponse>;
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'wrong-method'; allowed: HttpMethod[] }
  | { kind: 'not-found' };

interface CompiledRoute {
  route: Route;
  segments: string[];
}

function matchSegments(
  pattern: readonly string[],
  segments: readonly string[],
): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index++) {
    const expected = pattern[index]!;
    const actual = segments[index]!;
    if (expected.startsWith(':')) params[expected.slice(1)] = actual;
    else if (expected !== actual) return undefined;
  }
  return params;
}

/**
 * Splits a raw request path into decoded segments. Parameters name models, never files,
 * but a segment that could steer a path (`..`, an encoded `/` or `\`, a NUL) is refused
 * outright so nothing downstream ever sees one.
 *
 * @example
 * decodePathSegments('/v2/models/ref%2Dembed'); // ['v2', 'models', 'ref-embed']
 */
export function decodePathSegments(path: string): string[] {
  const raw = path.split('/').slice(1);
  // One trailing slash is tolerated: `/v1/models/` is `/v1/models`.
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  return raw.map((segment) => {
    let decoded: string;
    try {
      // Without a '%' there is nothing to decode.
      decoded = segment.includes('%') ? decodeURIComponent(segment) : segment;
    } catch {
      throw new HttpError(400, `The path segment '${segment}' is not valid percent-encoding.`, {
        code: 'invalid_path',
      });
    }
    if (decoded === '.' || decoded === '..' || /[/\\\0]/.test(decoded)) {
      throw new HttpError(400, `The path segment '${segment}' is not allowed.`, { code: 'invalid_path' });
    }
    return decoded;
  });
}

/**
 * The server's endpoints, matched by method and decoded path segments. A path that exists
 * under another method is told apart from an unknown one, for a 405 with `allow`.
 *
 * @example
 * const table = new RouteTable([...openAIRoutes, ...oipRoutes]);
 * table.match('GET', ['v2', 'models', 'ref-embed']);
 */
export class RouteTable {
  readonly #routes: CompiledRoute[];
  /**
   * Routes without parameters by method and path, each only where the scan below would find
   * it first: one lookup instead of a scan per request. Decoded segments never hold a '/', so
   * joining them is unambiguous.
   */
  readonly #staticRoutes = new Map<string, Route>();

  constructor(routes: readonly Route[]) {
    this.#routes = routes.map((route) => ({ route, segments: route.path.split('/').slice(1) }));
    for (const compiled of this.#routes) {
      if (compiled.segments.some((segment) => segment.startsWith(':'))) continue;
      const key = `${compiled.route.method} ${compiled.segments.join('/')}`;
      if (this.#staticRoutes.has(key)) continue;
      const first = this.#scan(compiled.route.method, compiled.segments);
      if (first.kind === 'found' && first.route === compiled.route)
        this.#staticRoutes.set(key, compiled.route);
    }
  }

  match(method: string, segments: readonly string[]): RouteMatch {
    const route = this.#staticRoutes.get(`${method} ${segments.join('/')}`);
    if (route !== undefined) return { kind: 'found', route, params: {} };
    return this.#scan(method, segments);
  }

  #scan(method: string, segments: readonly string[]): RouteMatch {
    const allowed: HttpMethod[] = [];
    for (const compiled of this.#routes) {
      const params = matchSegments(compiled.segments, segments);
      if (params === undefined) continue;
      if (compiled.route.method === method) return { kind: 'found', route: compiled.route, params };
      if (!allowed.includes(compiled.route.method)) allowed.push(compiled.route.method);
    }
    return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'not-found' };
  }
}
