import type { IncomingMessage } from 'node:http';

/** How long the connection of a refused upload is still read (and its bytes dropped) after the answer. */
export const defaultLingerMs = 2_000;

/**
 * Ends the connection of a request whose body the server refused (413, or the buffered-bytes
 * limits) so that the client gets the answer. The rest of the body is read and dropped from
 * now on, never buffered. Closing at once while the client still sends would make the kernel
 * answer its next bytes with a reset, which can destroy the answer before the client read it;
 * so once the answer (sent with `connection: close`) is written, the server half-closes and
 * keeps dropping what arrives until the client closes its side, or `lingerMs` at most (what
 * nginx calls a lingering close). A socket is never held longer than that.
 *
 * @example
 * lingerAfterAnswer(request);
 * throw new HttpError(503, 'Too many bodies buffered.', { headers: { connection: 'close' } });
 */
export function lingerAfterAnswer(request: IncomingMessage, lingerMs = defaultLingerMs): void {
  // Flowing without a 'data' listener: the bytes are dropped as the parser hands them over.
  request.resume();
  const socket = request.socket;
  if (socket === null || socket.destroyed) return;
  // Node's HTTP server calls destroySoon() once a `connection: close` answer is written; this
  // socket's own version lingers instead of destroying the socket as soon as its end is sent.
  socket.destroySoon = () => {
    // Destroyed only once the answer has gone out: destroying earlier would drop it.
    const destroyWhenSent = () => {
      if (socket.writableFinished) socket.destroy();
      else socket.once('finish', () => socket.destroy());
    };
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    // A lingering client must not keep the process (or a closing server) alive.
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    if (socket.readableEnded) destroyWhenSent();
    else socket.once('end', destroyWhenSent);
    socket.end();
  };
}
