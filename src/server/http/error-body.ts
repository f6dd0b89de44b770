import type { HttpError } from './http-error.js';

/** Which wire dialect a route speaks; it decides the error shape. */
export type Dialect = 'openai' | 'oip';

/**
 * The error body of a dialect: OpenAI `{"error":{"message","type","param","code"}}`,
 * OIP `{"error":"<message>"}`.
 *
 * @example
 * errorBody('oip', new HttpError(404, 'Unknown model')); // { error: 'Unknown model' }
 */
export function errorBody(dialect: Dialect, error: HttpError): unknown {
  if (dialect === 'oip') return { error: error.message };
  return {
    error: {
      message: error.message,
      type: error.type,
      param: error.param ?? null,
      code: error.code ?? null,
    },
  };
}

/** Routes under `/v2` speak OIP; everything else (`/v1`, `/tokenize`, `/health`) speaks OpenAI. */
export function dialectOfPath(path: string): Dialect {
  return path === '/v2' || path.startsWith('/v2/') ? 'oip' : 'openai';
}
