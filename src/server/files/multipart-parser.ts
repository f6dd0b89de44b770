import { HttpError } from '../http/http-error.js';

/** One part's headers: the form field's name and, for a file, its filename. */
export interface MultipartPartInfo {
  name: string;
  filename: string | undefined;
}

/** Receives one part's bytes as they arrive; awaited, so a slow sink slows the upload (backpressure). */
export interface MultipartPartSink {
  write(chunk: Buffer): Promise<void> | void;
  end(): Promise<void> | void;
}

const maxHeaderBytes = 16 * 1024;

function malformed(detail: string): HttpError {
  return new HttpError(400, `The multipart/form-data body is malformed: ${detail}.`, {
    code: 'invalid_multipart',
  });
}

/**
 * The boundary of a `multipart/form-data` content type, or a 400 saying what is missing.
 *
 * @example
 * multipartBoundary('multipart/form-data; boundary=abc'); // 'abc'
 */
export function multipartBoundary(contentType: string | undefined): string {
  if (contentType === undefined || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) {
    throw new HttpError(400, `The request must be multipart/form-data, got '${contentType ?? 'none'}'.`, {
      code: 'invalid_content_type',
    });
  }
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined || boundary.length > 70)
    throw malformed('the content type names no valid boundary');
  return boundary;
}

function parsePartHeaders(block: string): MultipartPartInfo {
  let disposition: string | undefined;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === 'content-disposition')
      disposition = line.slice(colon + 1);
  }
  if (disposition === undefined) throw malformed('a part has no content-disposition header');
  const param = (key: string) => {
    const found = new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(disposition!);
    return found?.[1]?.replace(/\\(.)/g, '$1');
  };
  const name = param('name');
  if (name === undefined) throw malformed('a part has no field name');
  return { name, filename: param('filename') };
}

type State = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';

/**
 * Parses a `multipart/form-data` body as it streams in, handing each part's bytes to the sink
 * `onPart` returns. Nothing is held beyond one chunk plus a delimiter's length, so the caller's
 * sinks alone decide how much memory an upload takes (and refuse past their limits by throwing).
 *
 * @example
 * await parseMultipart(context.bodyChunks(), boundary, (part) => sinkFor(part));
 */
export async function parseMultipart(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  boundary: string,
  onPart: (part: MultipartPartInfo) => MultipartPartSink,
): Promise<void> {
  // The body's first delimiter has no CRLF before it; pretending it has one makes every delimiter alike.
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let pending: Buffer = Buffer.from('\r\n');
  let state = 'preamble' as State;
  let sink: MultipartPartSink | undefined;

  const step = async (): Promise<boolean> => {
    if (state === 'preamble') {
      const at = pending.indexOf(delimiter);
      if (at < 0) {
        pending = pending.subarray(Math.max(0, pending.length - delimiter.length + 1));
        return false;
      }
      pending = pending.subarray(at + delimiter.length);
      state = 'after-delimiter';
      return true;
    }
    if (state === 'after-delimiter') {
      if (pending.length < 2) return false;
      const next = pending.subarray(0, 2).toString('latin1');
      if (next === '--') state = 'done';
      else if (next === '\r\n') state = 'headers';
      else throw malformed('a delimiter is followed by neither a line break nor --');
      pending = pending.subarray(2);
      return state !== 'done';
    }
    if (state === 'headers') {
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) {
        if (pending.length > maxHeaderBytes)
          throw malformed(`a part's headers exceed ${maxHeaderBytes} bytes`);
        return false;
      }
      sink = onPart(parsePartHeaders(pending.subarray(0, end).toString('utf8')));
      pending = pending.subarray(end + 4);
      state = 'body';
      return true;
    }
    if (state === 'body') {
      const at = pending.indexOf(delimiter);
      const safe = at >= 0 ? at : Math.max(0, pending.length - delimiter.length + 1);
      if (safe > 0) await sink!.write(pending.subarray(0, safe));
      pending = pending.subarray(safe);
      if (at < 0) return false;
      await sink!.end();
      sink = undefined;
      pending = pending.subarray(delimiter.length);
      state = 'after-delimiter';
      return true;
    }
    return false;
  };

  for await (const chunk of chunks) {
    if (state === 'done') continue;
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (await step()) {}
  }
  if (state !== 'done') throw malformed('the body ended before its closing delimiter');
}
