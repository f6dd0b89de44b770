import type { TransportRequestInit } from './transport-types.js';

/** A request body as sent: serialised JSON, or the encoded bytes of a multipart form. */
export type Payload = string | Uint8Array;

/** The payload of a request body: a form's bytes as they are, any other value as JSON. */
export function bodyPayload(body: unknown): Payload {
  return body instanceof Uint8Array ? body : JSON.stringify(body);
}

export function payloadBytes(payload: Payload): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
}

/**
 * The request with its form encoded as `multipart/form-data` (by the platform's own encoder,
 * which picks the boundary) in `body`, and that content type among its headers.
 *
 * @example
 * const init = await withEncodedForm({ method: 'POST', url }, form);
 */
export async function withEncodedForm(
  init: TransportRequestInit,
  form: FormData,
): Promise<TransportRequestInit> {
  const encoded = new Response(form);
  const contentType = encoded.headers.get('content-type') ?? 'multipart/form-data';
  const body = new Uint8Array(await encoded.arrayBuffer());
  return {
    method: init.method,
    url: init.url,
    headers: { ...init.headers, 'content-type': contentType },
    body,
  };
}
