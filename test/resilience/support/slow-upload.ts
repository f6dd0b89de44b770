import { connect, type Socket } from 'node:net';

export interface SlowUploadOptions {
  /** The server's base URL (loopback). */
  baseUrl: string;
  path: string;
  headers: Record<string, string>;
  /** The `content-length` declared; the upload never sends all of it, so it never completes on its own. */
  declaredBytes: number;
  /** Sends `transfer-encoding: chunked` instead of the length: the server learns the size only as bytes arrive. */
  chunked?: boolean;
  /** Bytes sent at `chunkBytes` per `chunkIntervalMs` before the upload slows to one byte per `trickleIntervalMs`. */
  prefixBytes: number;
  chunkBytes: number;
  chunkIntervalMs: number;
  trickleIntervalMs: number;
}

/** The answer a slow upload got, with how much of its body it had sent by then. */
export interface SlowUploadAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  bytesSentBeforeAnswer: number;
}

/** An upload in progress: its answer, if the server gives one before the body ends, and its progress. */
export interface SlowUpload {
  readonly answered: Promise<SlowUploadAnswer>;
  /** Body bytes handed to the kernel so far (nothing left queued in the socket). */
  flushedBodyBytes(): number;
  /** True once the server closed or reset the connection. */
  readonly closed: boolean;
  /** Stops sending and destroys the socket. */
  close(): void;
}

/** Parses one HTTP/1.1 answer with a `content-length`, or returns undefined while it is incomplete. */
function parseAnswer(raw: Buffer): Omit<SlowUploadAnswer, 'bytesSentBeforeAnswer'> | undefined {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const [statusLine = '', ...lines] = raw.subarray(0, headEnd).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  if (raw.length < headEnd + 4 + length) return undefined;
  const body = raw.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/**
 * A client that declares a large body (or sends a chunked one) and sends it slowly, never finishing: `prefixBytes` at a
 * steady pace, then a byte at a time. It stops sending as soon as the server answers, as a
 * client that reads the early answer does. Raw sockets, so nothing buffers or retries for it.
 *
 * @example
 * const upload = slowUpload({ baseUrl, path: '/v1/embeddings', headers, declaredBytes: 8 << 20, prefixBytes: 4 << 20, chunkBytes: 65536, chunkIntervalMs: 10, trickleIntervalMs: 200 });
 * const answer = await upload.answered; // e.g. 503 with retry-after
 * upload.close();
 */
export function slowUpload(options: SlowUploadOptions): SlowUpload {
  const url = new URL(options.baseUrl);
  const socket: Socket = connect(Number(url.port), url.hostname);
  let bodyBytesSent = 0;
  let answeredYet = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const received: Buffer[] = [];
  const chunk = Buffer.alloc(options.chunkBytes, 0x61);
  // The body never reaches its declared length: one byte short at most.
  const lastByte = options.declaredBytes - 1;

  const stop = () => clearTimeout(timer);
  const sendNext = () => {
    if (answeredYet || closed || bodyBytesSent >= lastByte) return;
    const inPrefix = bodyBytesSent < options.prefixBytes;
    const size = Math.min(inPrefix ? options.chunkBytes : 1, lastByte - bodyBytesSent);
    const data = chunk.subarray(0, size);
    socket.write(options.chunked === true ? `${size.toString(16)}\r\n${data.toString('latin1')}\r\n` : data);
    bodyBytesSent += size;
    timer = setTimeout(sendNext, inPrefix ? options.chunkIntervalMs : options.trickleIntervalMs);
  };

  const answered = new Promise<SlowUploadAnswer>((resolve) => {
    socket.on('data', (data: Buffer) => {
      received.push(data);
      const answer = parseAnswer(Buffer.concat(received));
      if (answer === undefined || answeredYet) return;
      answeredYet = true;
      stop();
      resolve({ ...answer, bytesSentBeforeAnswer: bodyBytesSent });
    });
  });
  socket.on('connect', () => {
    const head = [
      `POST ${options.path} HTTP/1.1`,
      `Host: ${url.host}`,
      options.chunked === true ? 'Transfer-Encoding: chunked' : `Content-Length: ${options.declaredBytes}`,
      ...Object.entries(options.headers).map(([name, value]) => `${name}: ${value}`),
      '',
      '',
    ].join('\r\n');
    socket.write(head);
    sendNext();
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    stop();
  });
  return {
    answered,
    flushedBodyBytes: () => Math.max(0, bodyBytesSent - socket.writableLength),
    get closed() {
      return closed;
    },
    close() {
      stop();
      socket.destroy();
    },
  };
}
