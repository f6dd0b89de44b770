import { StreamError } from '../errors/index.js';
import type { ChunkDecoder } from './stream-dialect.js';
import { Utf8ChunkDecoder } from './utf8-chunk-decoder.js';

/** One parsed line of an NDJSON stream; `lineNumber` counts from 1, blank lines included. */
export interface JsonLine {
  lineNumber: number;
  value: unknown;
}

/** Guards memory against a server that never ends a line (characters). */
const DEFAULT_MAX_LINE_CHARACTERS = 16 * 1024 * 1024;
const SNIPPET_CHARACTERS = 80;

/** The start of a line, short enough for an error message. */
export function snippetOf(text: string): string {
  return text.length > SNIPPET_CHARACTERS ? `${text.slice(0, SNIPPET_CHARACTERS)}…` : text;
}

/**
 * Turns newline-delimited JSON bytes into {@link JsonLine}s, chunk by chunk: lines split
 * across chunks are joined, `\r\n` is accepted, blank lines are skipped, and a last line
 * without a newline still counts. A line that is not JSON is a `StreamError` naming it.
 *
 * @example
 * const decoder = new NdjsonDecoder();
 * const lines = [...decoder.push(bytes), ...decoder.end()];
 */
export class NdjsonDecoder implements ChunkDecoder<JsonLine> {
  readonly #text = new Utf8ChunkDecoder();
  readonly #maxLineCharacters: number;
  // Fragments of the unfinished line, joined only once its newline arrives, so a long line
  // delivered in many small chunks costs linear time.
  #pending: string[] = [];
  #pendingLength = 0;
  #lineNumber = 0;
  // A bad line found after good ones in the same chunk: the good lines are returned first.
  #failure: StreamError | undefined;

  constructor(options: { maxLineCharacters?: number } = {}) {
    this.#maxLineCharacters = options.maxLineCharacters ?? DEFAULT_MAX_LINE_CHARACTERS;
  }

  /** Decodes one chunk of bytes; returns the lines it completed. */
  push(bytes: Uint8Array): JsonLine[] {
    this.#throwPendingFailure();
    return this.#split(this.#text.write(bytes));
  }

  /** The body ended: parses a last line that had no newline. */
  end(): JsonLine[] {
    this.#throwPendingFailure();
    // The decoder's flush yields at most replacement characters, never a newline, so only the
    // unfinished last line can complete here.
    const lines = this.#split(this.#text.end());
    const rest = this.#pending.join('');
    this.#pending = [];
    this.#pendingLength = 0;
    const last = this.#parse(rest, true);
    if (last !== undefined) lines.push(last);
    return lines;
  }

  #split(text: string): JsonLine[] {
    const lines: JsonLine[] = [];
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      this.#pending.push(text.slice(start, newline));
      const line = this.#pending.join('');
      this.#pending = [];
      this.#pendingLength = 0;
      try {
        const parsed = this.#parse(line, false);
        if (parsed !== undefined) lines.push(parsed);
      } catch (error) {
        if (lines.length === 0) throw error;
        this.#failure = error as StreamError;
        return lines;
      }
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (start < text.length) {
      this.#pending.push(text.slice(start));
      this.#pendingLength += text.length - start;
      if (this.#pendingLength > this.#maxLineCharacters) {
        throw new StreamError(
          `Line ${this.#lineNumber + 1} of the NDJSON stream is longer than ${this.#maxLineCharacters} characters.`,
          { code: 'ndjson_line_too_long' },
        );
      }
    }
    return lines;
  }

  #throwPendingFailure(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  #parse(rawLine: string, atEnd: boolean): JsonLine | undefined {
    if (atEnd && rawLine === '') return undefined;
    this.#lineNumber += 1;
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') return undefined;
    try {
      return { lineNumber: this.#lineNumber, value: JSON.parse(line) };
    } catch (error) {
      // A last line without a newline that fails to parse was almost always cut by a broken
      // connection, which is worth saying: the fix is a retry, not a bug report.
      const where = atEnd ? ' (the stream ended inside it)' : '';
      throw new StreamError(
        `Line ${this.#lineNumber} of the NDJSON stream is not valid JSON${where}: ${snippetOf(line)}`,
        { code: 'invalid_json', cause: error },
      );
    }
  }
}

/**
 * Reads JSON lines from a body, pulling one chunk at a time only when the previous chunk's
 * lines have been consumed.
 *
 * @example
 * for await (const line of decodeJsonLines(response.body)) console.log(line.value);
 */
export async function* decodeJsonLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<JsonLine> {
  const decoder = new NdjsonDecoder();
  for await (const chunk of body) yield* decoder.push(chunk);
  yield* decoder.end();
}
