import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/** What came back from one raw request; `status` is undefined when no answer arrived. */
export interface RawHttpAnswer {
  status: number | undefined;
  headers: IncomingHttpHeaders;
  text: string;
  /** The socket error, when the connection broke instead of answering. */
  errorCode: string | undefined;
}

export interface RawHttpRequest {
  method: string;
  /** Sent exactly as written: no URL normalisation, so `%2e%2e` and `..` reach the server. */
  path: string;
  headers?: Record<string, string>;
  /** Raw bytes: invalid UTF-8 and anything else reach the server unchanged. */
  body?: Buffer;
}

/**
 * One request on a fresh connection, with bytes and path exactly as given, read to the end;
 * never rejects (a broken connection is an answer with `errorCode`). fetch would validate the
 * body, normalise the path and reuse sockets, hiding exactly what these tests look for.
 *
 * @example
 * const answer = await sendRaw(server.url, { method: 'POST', path: '/v1/embeddings', body: Buffer.from([0xff]) });
 */
export function sendRaw(baseUrl: string, init: RawHttpRequest): Promise<RawHttpAnswer> {
  const target = new URL(baseUrl);
  return new Promise((resolve) => {
    const answer: RawHttpAnswer = { status: undefined, headers: {}, text: '', errorCode: undefined };
    let settled = false;
    const finish = (errorCode?: string) => {
      if (settled) return;
      settled = true;
      resolve({ ...answer, errorCode });
    };
    const request = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: init.method,
        path: init.path,
        agent: false,
        headers: {
          ...(init.body === undefined ? {} : { 'content-length': String(init.body.length) }),
          ...init.headers,
        },
      },
      (response) => {
        answer.status = response.statusCode;
        answer.headers = response.headers;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          answer.text = Buffer.concat(chunks).toString('utf8');
          finish();
        });
        response.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? 'error'));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? 'error'));
    request.end(init.body);
  });
}

/** The answer's body as JSON, or undefined when it is not JSON. */
export function jsonOf(answer: RawHttpAnswer): unknown {
  try {
    return JSON.parse(answer.text);
  } catch {
    return undefined;
  }
}
