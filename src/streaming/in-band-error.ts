import { type APIError, apiErrorFor } from '../errors/index.js';

// Error types providers send inside a stream, by the status they would have answered with
// had the error happened before the headers (OpenAI, vLLM, Anthropic-style names).
const STATUS_BY_ERROR_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  BadRequestError: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  tokens: 429,
  overloaded_error: 529,
  server_error: 500,
  api_error: 500,
  timeout: 504,
};

/** Used when nothing says what went wrong: the server failed after it had accepted the call. */
const UNKNOWN_STATUS = 500;

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function httpStatus(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= 400 && number <= 599
    ? number
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The `APIError` for an error a provider sent mid-stream: an SSE `event: error`, a data
 * object with `error` (OpenAI `{error: {message, type, code}}`, Ollama `{error: "..."}`).
 * The status comes from a numeric `code`/`status`, else from the error type, else 500.
 *
 * @example
 * throw apiErrorFromStreamPayload({ error: { message: 'overloaded', code: 503 } }, 'req_1');
 */
export function apiErrorFromStreamPayload(payload: unknown, requestId: string | undefined): APIError {
  const body = asRecord(payload);
  const nested = asRecord(body?.error);
  const message =
    text(nested?.message) ??
    text(body?.error) ??
    text(body?.message) ??
    text(payload) ??
    'The provider sent an error';
  const type = text(nested?.type) ?? text(body?.type);
  const code = nested?.code ?? body?.code;
  const status =
    httpStatus(code) ??
    httpStatus(nested?.status) ??
    httpStatus(body?.status) ??
    (type === undefined ? undefined : STATUS_BY_ERROR_TYPE[type]) ??
    UNKNOWN_STATUS;
  const param = text(nested?.param);
  return apiErrorFor(`The provider sent an error mid-stream (${status}): ${message}`, {
    status,
    body: payload,
    code: typeof code === 'string' ? code : undefined,
    type,
    param,
    requestId,
    phase: 'stream',
  });
}
