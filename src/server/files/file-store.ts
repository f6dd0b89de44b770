import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HttpError } from '../http/http-error.js';
import type { ResolvedFileStoreOptions } from './file-options.js';
import { FileUpload } from './file-upload.js';

/** A stored file's metadata: OpenAI's file object, less `object` and `status`. */
export interface StoredFile {
  id: string;
  bytes: number;
  created_at: number;
  expires_at: number | null;
  filename: string;
  purpose: string;
}

interface Entry {
  file: StoredFile;
  /** The bytes when kept in memory; on disk they are at `<tenant dir>/<id>`. */
  content: Buffer | undefined;
}

function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function mebibytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
}

/** The 404 for a file that does not exist, has expired, or belongs to another tenant: all look alike. */
export function fileNotFound(id: string): HttpError {
  return new HttpError(404, `No such File object: ${id}`, { param: 'id', code: 'file_not_found' });
}

/** The 413 for an upload past the per-file limit; the connection closes after it. */
export function fileTooLarge(limitBytes: number): HttpError {
  return new HttpError(413, `The file is larger than the limit of ${limitBytes} bytes.`, {
    param: 'file',
    code: 'file_too_large',
    headers: { connection: 'close' },
  });
}

/**
 * Uploaded files per tenant, in upload order: in memory, or under `<dataDir>/files/<tenant>/`
 * (the bytes as `<id>`, the metadata as `<id>.json`) so they are served again after a restart.
 * A tenant sees only its own files; an expired file is removed the next time its tenant looks.
 *
 * @example
 * const store = await FileStore.open(resolveFileStoreOptions({ dataDir: '/var/lib/aiaas' }));
 */
export class FileStore {
  readonly #options: ResolvedFileStoreOptions;
  readonly #tenants = new Map<string, Map<string, Entry>>();
  /** Bytes each tenant holds, uploads in progress included. */
  readonly #held = new Map<string, number>();

  private constructor(options: ResolvedFileStoreOptions) {
    this.#options = options;
  }

  static async open(options: ResolvedFileStoreOptions): Promise<FileStore> {
    const store = new FileStore(options);
    await store.#restore();
    return store;
  }

  get maxFileBytes(): number {
    return this.#options.maxFileBytes;
  }

  get minExpirySeconds(): number {
    return this.#options.minExpirySeconds;
  }

  #tenantDir(tenant: string): string | undefined {
    const root = this.#options.dataDir;
    return root === undefined ? undefined : join(root, 'files', tenant.replace(/[^\w-]/g, '_'));
  }

  async #restore(): Promise<void> {
    const root = this.#options.dataDir;
    if (root === undefined) return;
    const filesDir = join(root, 'files');
    await mkdir(filesDir, { recursive: true });
    for (const tenant of await readdir(filesDir)) {
      const names = await readdir(join(filesDir, tenant));
      const files: StoredFile[] = [];
      for (const name of names.filter((each) => each.endsWith('.json')))
        files.push(JSON.parse(await readFile(join(filesDir, tenant, name), 'utf8')) as StoredFile);
      // An upload cut short by a crash left only its `.part`.
      for (const name of names.filter((each) => each.endsWith('.part')))
        await rm(join(filesDir, tenant, name), { force: true });
      files.sort((a, b) => a.created_at - b.created_at);
      for (const file of files) this.#add(tenant, { file, content: undefined });
    }
  }

  #add(tenant: string, entry: Entry): void {
    const files = this.#tenants.get(tenant) ?? new Map<string, Entry>();
    this.#tenants.set(tenant, files);
    files.set(entry.file.id, entry);
    this.#held.set(tenant, (this.#held.get(tenant) ?? 0) + entry.file.bytes);
  }

  /** Starts receiving a file for `tenant`, refused with a 413 past the per-file or per-tenant limit. */
  async beginUpload(tenant: string): Promise<{ id: string; upload: FileUpload; release: () => void }> {
    const id = `file-${randomBytes(12).toString('hex')}`;
    const dir = this.#tenantDir(tenant);
    if (dir !== undefined) await mkdir(dir, { recursive: true });
    let reserved = 0;
    const upload = new FileUpload(dir === undefined ? undefined : join(dir, `${id}.part`), (bytes) => {
      if (bytes > this.#options.maxFileBytes) return fileTooLarge(this.#options.maxFileBytes);
      const held = (this.#held.get(tenant) ?? 0) + bytes - reserved;
      if (held > this.#options.maxBytesPerTenant)
        return new HttpError(
          413,
          `This API key's files would take more than its limit of ${mebibytes(this.#options.maxBytesPerTenant)}; delete some files first.`,
          { param: 'file', code: 'file_storage_limit_exceeded', headers: { connection: 'close' } },
        );
      this.#held.set(tenant, held);
      reserved = bytes;
      return undefined;
    });
    // A refused or broken upload gives back what it held.
    const release = () => this.#held.set(tenant, (this.#held.get(tenant) ?? 0) - reserved);
    return { id, upload, release };
  }

  /** Keeps a received file; `content` is its bytes when in memory. */
  async commit(tenant: string, file: StoredFile, upload: FileUpload, content: Buffer): Promise<void> {
    const dir = this.#tenantDir(tenant);
    if (dir !== undefined) {
      await rename(upload.path!, join(dir, file.id));
      await writeFile(join(dir, `${file.id}.json`), JSON.stringify(file));
    }
    // The bytes were counted as held while they arrived; the entry now carries them.
    this.#held.set(tenant, (this.#held.get(tenant) ?? 0) - file.bytes);
    this.#add(tenant, { file, content: dir === undefined ? content : undefined });
  }

  /**
   * Stores a file the server made for `tenant` (e.g. a fine-tuning job's results), under the same
   * limits as an upload: a 413 past them.
   */
  async create(
    tenant: string,
    made: { filename: string; purpose: string; content: Buffer },
  ): Promise<StoredFile> {
    const { id, upload, release } = await this.beginUpload(tenant);
    try {
      await upload.write(made.content);
      const content = await upload.finish();
      const file: StoredFile = {
        id,
        bytes: content.length,
        created_at: unixSeconds(),
        expires_at: null,
        filename: made.filename,
        purpose: made.purpose,
      };
      await this.commit(tenant, file, upload, content);
      return file;
    } catch (error) {
      release();
      await upload.discard();
      throw error;
    }
  }

  /** The tenant's live files, oldest first (expired ones are removed on the way). */
  async list(tenant: string): Promise<StoredFile[]> {
    const files = this.#tenants.get(tenant);
    if (files === undefined) return [];
    const now = unixSeconds();
    const live: StoredFile[] = [];
    for (const { file } of [...files.values()]) {
      if (file.expires_at !== null && file.expires_at <= now) await this.delete(tenant, file.id);
      else live.push(file);
    }
    return live;
  }

  /** The tenant's file, or a 404 when it is missing, expired or someone else's. */
  async get(tenant: string, id: string): Promise<StoredFile> {
    const entry = this.#tenants.get(tenant)?.get(id);
    if (entry === undefined) throw fileNotFound(id);
    if (entry.file.expires_at !== null && entry.file.expires_at <= unixSeconds()) {
      await this.delete(tenant, id);
      throw fileNotFound(id);
    }
    return entry.file;
  }

  /** The file's bytes. */
  async content(tenant: string, id: string): Promise<Buffer> {
    await this.get(tenant, id);
    const entry = this.#tenants.get(tenant)!.get(id)!;
    return entry.content ?? readFile(join(this.#tenantDir(tenant)!, id));
  }

  /** Removes the file and its bytes, from memory and disk; a 404 when the tenant has no such file. */
  async delete(tenant: string, id: string): Promise<void> {
    const files = this.#tenants.get(tenant);
    const entry = files?.get(id);
    if (entry === undefined) throw fileNotFound(id);
    files!.delete(id);
    this.#held.set(tenant, (this.#held.get(tenant) ?? 0) - entry.file.bytes);
    const dir = this.#tenantDir(tenant);
    if (dir !== undefined) {
      await rm(join(dir, `${id}.json`), { force: true });
      await rm(join(dir, id), { force: true });
    }
  }
}
