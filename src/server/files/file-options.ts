/** Server options of the files API (`/v1/files`). */
export interface FileStoreOptions {
  /**
   * Where uploaded files are kept (under its `files/` folder), so they survive a restart; without
   * it files live in memory only.
   */
  dataDir?: string;
  /** Largest accepted upload, in bytes; a bigger one gets 413 (default 512 MiB). */
  maxFileBytes?: number;
  /** Most bytes of files one tenant (API key) may keep at once (default 2 GiB). */
  maxFileBytesPerTenant?: number;
  /** Shortest `expires_after[seconds]` accepted (default 3600, OpenAI's minimum). */
  minFileExpirySeconds?: number;
}

export interface ResolvedFileStoreOptions {
  dataDir: string | undefined;
  maxFileBytes: number;
  maxBytesPerTenant: number;
  minExpirySeconds: number;
}

export const defaultMaxFileBytes = 512 * 1024 * 1024;
export const defaultMaxFileBytesPerTenant = 2 * 1024 * 1024 * 1024;
export const defaultMinFileExpirySeconds = 3600;
/** OpenAI's longest `expires_after[seconds]`: 30 days. */
export const maxFileExpirySeconds = 30 * 24 * 3600;

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new RangeError(`${name} must be a positive integer, got ${value}.`);
  return value;
}

/** Applies the defaults and rejects impossible values with a message naming the option. */
export function resolveFileStoreOptions(options: FileStoreOptions): ResolvedFileStoreOptions {
  const dataDir = options.dataDir;
  if (dataDir !== undefined && (typeof dataDir !== 'string' || dataDir.trim() === ''))
    throw new RangeError(`dataDir must be a non-empty path, got ${JSON.stringify(dataDir)}.`);
  const maxFileBytes = positiveInteger(options.maxFileBytes ?? defaultMaxFileBytes, 'maxFileBytes');
  const maxBytesPerTenant = positiveInteger(
    options.maxFileBytesPerTenant ?? Math.max(defaultMaxFileBytesPerTenant, maxFileBytes),
    'maxFileBytesPerTenant',
  );
  if (maxBytesPerTenant < maxFileBytes)
    throw new RangeError(
      `maxFileBytesPerTenant (${maxBytesPerTenant}) must be at least maxFileBytes (${maxFileBytes}).`,
    );
  const minExpirySeconds = positiveInteger(
    options.minFileExpirySeconds ?? defaultMinFileExpirySeconds,
    'minFileExpirySeconds',
  );
  if (minExpirySeconds > maxFileExpirySeconds)
    throw new RangeError(
      `minFileExpirySeconds must be at most ${maxFileExpirySeconds}, got ${minExpirySeconds}.`,
    );
  return { dataDir, maxFileBytes, maxBytesPerTenant, minExpirySeconds };
}
