import type { z } from 'zod';
import type { HttpTransport } from '../../transport/http-transport.js';
import type { HttpMethod } from '../../transport/transport-types.js';
import { parseWire } from '../../wire/validate-wire.js';
import type { ProviderCallOptions, ProviderResult } from '../provider-types.js';

/** The provider's per-call headers (idempotency key on POST, the call's own headers). */
export type CallHeaders = (method: HttpMethod, options: ProviderCallOptions) => Record<string, string>;

/** One request of an OpenAI API group (files, fine-tuning): a JSON body or a form, the answer validated. */
export interface OpenAIJsonRequest {
  method: HttpMethod;
  url: string;
  /** What the answer is, for the error when it does not match (`file`, `fine-tuning job`). */
  what: string;
  body?: unknown;
  form?: FormData | undefined;
}

/**
 * Sends a request over the provider's transport and validates the JSON answer against
 * `schema`; a mismatch is a `ValidationError` naming the field and the request id.
 */
export async function sendOpenAIJson<Schema extends z.ZodType>(
  transport: HttpTransport,
  callHeaders: CallHeaders,
  schema: Schema,
  request: OpenAIJsonRequest,
  options: ProviderCallOptions,
): Promise<ProviderResult<z.output<Schema>>> {
  const { method, url, body, form, what } = request;
  const headers = callHeaders(method, options);
  const { data, response } = await transport.requestJson({ method, url, headers, body, form }, options);
  return {
    data: parseWire(schema, data, { subject: 'response', what, requestId: response.requestId }),
    response,
  };
}

/** `?after=…&limit=…` (and any other set fields), or '' when none is set. */
export function queryString(params: Readonly<Record<string, string | number | undefined>>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, String(value));
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}
