import { HttpError } from '../http/http-error.js';
import type { RequestInterceptor } from '../http/request-pipeline.js';
import type { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { bearerToken } from './api-key-authenticator.js';

/**
 * Lets a request through only with a configured key (`Authorization: Bearer <key>`) and
 * records its tenant on the context. Public routes (health) and an open server skip it.
 * The error never repeats the presented key.
 *
 * @example
 * const interceptors = [authInterceptor(new ApiKeyAuthenticator(['sk-test']))];
 */
export function authInterceptor(authenticator: ApiKeyAuthenticator): RequestInterceptor {
  return (context, next) => {
    if (authenticator.open || context.route.public) return next(context);
    const key = bearerToken(context.header('authorization'));
    const tenant = authenticator.authenticate(key);
    if (tenant === undefined) {
      const message =
        key === undefined
          ? 'No API key provided. Send it as "Authorization: Bearer <key>".'
          : 'Incorrect API key provided.';
      throw new HttpError(401, message, {
        code: key === undefined ? 'missing_api_key' : 'invalid_api_key',
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    context.tenant = tenant;
    return next(context);
  };
}
