import type { HttpError } from './http-error.js';

/** Which wire dialect a route speaks; it decides the error shape. */
export type Dialect = 'openai' | 'oip' | 'ollama';

/**
 * The error body of a dialect: OpenAI `{"error":{"message","type","param","code"}}`,
 * OIP and Ollama `{"error":"<message>"}`.
 *
 * @example
 * errorBody('oip', new HttpError(404, 'Unknown model')); // { error: 'Unknown model' }
 */
export function errorBody(dialect: Dialect, error: HttpError): unknown {
  if (dialect !== 'openai') return { error: error.message };
  return {
    error: {
      message: error.message,
      type: error.type,
      param: error.param ?? null,
      code: error.code ?? null,
    },
  };
}

/** Routes under `/v2` speak OIP, under `/api` Ollama; everything else (`/v1`, `/tokenize`, `/health`) speaks OpenAI. */
export function dialectOfPath(path: string): Dialect {
  if (path === '/v2' || path.startsWith('/v2/')) return 'oip';
  if (path === '/api' || path.startsWith('/api/')) return 'ollama';
  return 'openai';
}
