import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { HttpError } from '../http/http-error.js';

/** Refuses an upload past a limit, before its bytes are held. */
export type UploadLimitCheck = (bytes: number) => HttpError | undefined;

/**
 * One file being received: counts its bytes against the limits as they come (the first byte
 * past one fails the upload with its 413), and holds them in memory or writes them to disk,
 * awaiting the disk so a fast client cannot outrun it.
 *
 * @example
 * const upload = new FileUpload(undefined, check);
 * await upload.write(chunk);
 * const content = await upload.finish();
 */
export class FileUpload {
  readonly #chunks: Buffer[] = [];
  readonly #stream: WriteStream | undefined;
  readonly #path: string | undefined;
  readonly #check: UploadLimitCheck;
  #bytes = 0;
  /** A disk failure (full, unwritable), kept so the upload fails with it instead of the process. */
  #diskError: Error | undefined;

  constructor(path: string | undefined, check: UploadLimitCheck) {
    this.#path = path;
    this.#check = check;
    this.#stream = path === undefined ? undefined : createWriteStream(path, { flags: 'wx' });
    this.#stream?.on('error', (error) => {
      this.#diskError = error;
    });
  }

  #failIfDiskFailed(): void {
    if (this.#diskError === undefined) return;
    throw new HttpError(500, `The server could not store the file: ${this.#diskError.message}`, {
      code: 'file_storage_failed',
    });
  }

  get bytes(): number {
    return this.#bytes;
  }

  get path(): string | undefined {
    return this.#path;
  }

  async write(chunk: Buffer): Promise<void> {
    const refusal = this.#check(this.#bytes + chunk.length);
    if (refusal !== undefined) throw refusal;
    this.#bytes += chunk.length;
    if (this.#stream === undefined) {
      // The parser's chunk may be a view of a larger buffer it reuses: keep a copy of these bytes only.
      this.#chunks.push(Buffer.from(chunk));
      return;
    }
    this.#failIfDiskFailed();
    if (!this.#stream.write(chunk)) await once(this.#stream, 'drain').catch(() => this.#failIfDiskFailed());
  }

  /** The bytes in memory (empty when on disk), once every byte is written. */
  async finish(): Promise<Buffer> {
    if (this.#stream !== undefined) {
      this.#failIfDiskFailed();
      this.#stream.end();
      await once(this.#stream, 'finish').catch(() => this.#failIfDiskFailed());
      return Buffer.alloc(0);
    }
    return Buffer.concat(this.#chunks, this.#bytes);
  }

  /** Drops whatever was received (a refused or broken upload). */
  async discard(): Promise<void> {
    this.#chunks.length = 0;
    if (this.#stream !== undefined) {
      // The file may still be opening: removing it before the stream closes would let the open create it after.
      const closed = this.#stream.closed ? Promise.resolve() : once(this.#stream, 'close');
      this.#stream.destroy();
      await closed;
      await rm(this.#path!, { force: true });
    }
  }
}
