import type { Socket } from 'node:net';
import { newRequestId } from './request-dispatcher.js';

/**
 * Answers requests the HTTP parser rejects (malformed request line, oversized headers) or
 * that arrive too slowly (the server's headers and request timeouts) with a JSON error that carries an `x-request-id` like every other answer, then closes.
 *
 * @example
 * server.on('clientError', handleClientError);
 */
export function handleClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  // Node's headersTimeout/requestTimeout fired: the client was too slow, its bytes were not wrong.
  const tooSlow = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const status = tooLarge
    ? '431 Request Header Fields Too Large'
    : tooSlow
      ? '408 Request Timeout'
      : '400 Bad Request';
  const message = tooLarge
    ? 'The request headers are too large.'
    : tooSlow
      ? 'The request was not received in time.'
      : 'The request is not valid HTTP.';
  const body = JSON.stringify({
    error: {
      message,
      type: 'invalid_request_error',
      param: null,
      code: tooSlow ? 'request_timeout' : 'invalid_http',
    },
  });
  socket.end(
    `HTTP/1.1 ${status}\r\nx-request-id: ${newRequestId()}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
