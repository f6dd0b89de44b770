import type { RawHttpAnswer } from './raw-http.js';
import { jsonOf } from './raw-http.js';

/** The error dialect a path promises: OIP's `{"error": "..."}` under /v2, OpenAI's everywhere else. */
export function expectedDialect(path: string): 'oip' | 'openai' {
  const pathname = path.split('?')[0] ?? path;
  return pathname === '/v2' || pathname.startsWith('/v2/') ? 'oip' : 'openai';
}

function openAIProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'the body is not a JSON object';
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'error')
    return `top-level keys ${JSON.stringify(keys)}, not ["error"]`;
  const error = (body as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return '`error` is not an object';
  const fields = error as Record<string, unknown>;
  if (typeof fields.message !== 'string' || fields.message === '')
    return '`error.message` is not a non-empty string';
  if (typeof fields.type !== 'string') return '`error.type` is not a string';
  if (!(fields.param === null || typeof fields.param === 'string'))
    return '`error.param` is not a string or null';
  if (!(fields.code === null || typeof fields.code === 'string'))
    return '`error.code` is not a string or null';
  return undefined;
}

function oipProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'the body is not a JSON object';
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'error')
    return `top-level keys ${JSON.stringify(keys)}, not ["error"]`;
  const message = (body as { error: unknown }).error;
  return typeof message === 'string' && message !== '' ? undefined : '`error` is not a non-empty string';
}

/**
 * What is wrong with an error answer's body for its path, or undefined when it is in the
 * right dialect: `{"error":{"message","type","param","code"}}` under /v1, /tokenize and the
 * rest, `{"error":"<message>"}` under /v2.
 *
 * @example
 * expect(errorDialectProblem('/v2/models/x/infer', answer)).toBeUndefined();
 */
export function errorDialectProblem(path: string, answer: RawHttpAnswer): string | undefined {
  const body = jsonOf(answer);
  if (body === undefined) return `the body is not JSON: ${answer.text.slice(0, 120)}`;
  return expectedDialect(path) === 'oip' ? oipProblem(body) : openAIProblem(body);
}
