import { connect } from 'node:net';

/** How a trickling connection ended. */
export interface SlowClientResult {
  /** Milliseconds from connecting until the server closed the socket. */
  closedAfterMs: number;
  /** Bytes the client had managed to send by then. */
  bytesSent: number;
  /** Everything the server wrote back. */
  answer: string;
}

/**
 * A slow-loris client: connects, writes `head` at once, then `trickle` one byte every
 * `intervalMs`, and never finishes on its own (after `trickle` it keeps sending filler header
 * bytes). Resolves when the server closes the connection; rejects after `giveUpMs`, which
 * means the server let it hold the socket.
 *
 * @example
 * const result = await slowClient(server.url, { head: '', trickle: 'GET / HTTP/1.1\r\nX: ', intervalMs: 50, giveUpMs: 5000 });
 */
export function slowClient(
  baseUrl: string,
  options: { head: string; trickle: string; intervalMs: number; giveUpMs: number },
): Promise<SlowClientResult> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const startedAt = Date.now();
    let bytesSent = 0;
    let answer = '';
    let next = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || !socket.writable) return;
      const byte = options.trickle[next] ?? 'a';
      next += 1;
      socket.write(byte);
      bytesSent += 1;
    }, options.intervalMs);
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error(`the server kept a trickling connection open for ${options.giveUpMs} ms`));
    }, options.giveUpMs);
    socket.on('connect', () => {
      socket.write(options.head);
      bytesSent += Buffer.byteLength(options.head);
    });
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('utf8');
    });
    // The server ending or resetting the connection both count as being timed out.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ closedAfterMs: Date.now() - startedAt, bytesSent, answer });
    });
  });
}
