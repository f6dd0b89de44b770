import type { FileStoreOptions } from './files/file-options.js';
import type { FineTuningOptions } from './fine-tuning/fine-tuning-options.js';
import type { InferenceServingOptions } from './inference/inference-options.js';
import type { DeploymentOptions } from './models/deployment/deployment-options.js';
import type { RequestPipelineOptions } from './pipeline/request-pipeline-options.js';
import type { ServerLogger } from './server-logger.js';

/**
 * Options of {@link startReferenceServer}.
 *
 * @example
 * const options: ReferenceServerOptions = { port: 0, seed: 42, apiKeys: ['sk-test'] };
 */
export interface ReferenceServerOptions
  extends InferenceServingOptions,
    RequestPipelineOptions,
    DeploymentOptions,
    FileStoreOptions,
    FineTuningOptions {
  /** TCP port; 0 (the default) picks a free one, read it back from `server.port`. */
  port?: number;
  /** Interface to listen on; `127.0.0.1` by default, so nothing is exposed by accident. */
  host?: string;
  /** Sampling seed for requests that send none (default 0): the same request gives the same text. */
  seed?: number;
  /** Accepted API keys (`Authorization: Bearer <key>`); none means open (development mode). */
  apiKeys?: readonly string[];
  /**
   * A Triton-layout repository (`<dir>/<model>/<version>/model.onnx`) served beside the built-in
   * models; models tenants deploy are kept under its `.tenants/` folder and served again after a restart.
   */
  modelsDir?: string;
  /** Largest accepted request body; bigger ones get 413 (default 8 MiB). */
  bodyLimitBytes?: number;
  /**
   * Most bytes of request bodies the server buffers at once, over all requests (default 8 ×
   * `bodyLimitBytes`, 64 MiB). A body is counted from its declared `content-length` before a
   * byte of it is read (a chunked one as its bytes arrive); one that would cross the limit is
   * answered 503 with `retry-after` at once, so stalled uploads cannot exhaust the memory.
   */
  bodyBufferLimitBytes?: number;
  /**
   * Most bytes of request bodies buffered at once for one tenant (API key), within
   * `bodyBufferLimitBytes` (default 4 × `bodyLimitBytes`, 32 MiB; at least `bodyLimitBytes`).
   * Past it the tenant's requests are answered 429 with `retry-after`, and the others go on.
   */
  tenantBodyBufferLimitBytes?: number;
  /**
   * Milliseconds a client may take to send its request headers (default 10 s). A slower one, such
   * as a slow-loris client trickling bytes to hold a socket, gets a 408 and is disconnected.
   */
  headersTimeoutMs?: number;
  /** Milliseconds a client may take to send a whole request, body included (default 60 s; at least `headersTimeoutMs`). */
  requestTimeoutMs?: number;
  logger?: ServerLogger;
}

export const defaultBodyLimitBytes = 8 * 1024 * 1024;
/** The default `bodyBufferLimitBytes`, in request bodies of the largest size. */
export const defaultBodyBufferBodies = 8;
/** The default `tenantBodyBufferLimitBytes`, in request bodies of the largest size. */
export const defaultTenantBodyBufferBodies = 4;
export const defaultHeadersTimeoutMs = 10_000;
export const defaultRequestTimeoutMs = 60_000;

/** The options with defaults applied, checked once at start-up. */
export interface ResolvedServerOptions {
  port: number;
  host: string;
  seed: number;
  apiKeys: readonly string[];
  modelsDir: string | undefined;
  bodyLimitBytes: number;
  bodyBufferLimitBytes: number;
  tenantBodyBufferLimitBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new RangeError(`${name} must be a positive integer, got ${value}.`);
  return value;
}

/** Applies defaults and rejects impossible values with a message naming the option. */
export function resolveServerOptions(options: ReferenceServerOptions): ResolvedServerOptions {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`port must be 0..65535, got ${port}.`);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}.`);
  const apiKeys = options.apiKeys ?? [];
  if (apiKeys.some((key) => key.trim() === '' || /\s/.test(key))) {
    throw new RangeError('apiKeys must be non-empty strings without whitespace.');
  }
  const headersTimeoutMs = positiveInteger(
    options.headersTimeoutMs ?? defaultHeadersTimeoutMs,
    'headersTimeoutMs',
  );
  const requestTimeoutMs = positiveInteger(
    options.requestTimeoutMs ?? Math.max(defaultRequestTimeoutMs, headersTimeoutMs),
    'requestTimeoutMs',
  );
  // Node refuses a headers timeout longer than the whole-request one; say so in our terms.
  if (requestTimeoutMs < headersTimeoutMs) {
    throw new RangeError(
      `requestTimeoutMs (${requestTimeoutMs}) must be at least headersTimeoutMs (${headersTimeoutMs}).`,
    );
  }
  const bodyLimitBytes = positiveInteger(options.bodyLimitBytes ?? defaultBodyLimitBytes, 'bodyLimitBytes');
  const bodyBufferLimitBytes = positiveInteger(
    options.bodyBufferLimitBytes ?? defaultBodyBufferBodies * bodyLimitBytes,
    'bodyBufferLimitBytes',
  );
  const tenantBodyBufferLimitBytes = positiveInteger(
    options.tenantBodyBufferLimitBytes ??
      Math.min(defaultTenantBodyBufferBodies * bodyLimitBytes, bodyBufferLimitBytes),
    'tenantBodyBufferLimitBytes',
  );
  // Below the body limit, a body the server accepts in size could never be buffered: a 429 forever.
  if (tenantBodyBufferLimitBytes < bodyLimitBytes) {
    throw new RangeError(
      `tenantBodyBufferLimitBytes (${tenantBodyBufferLimitBytes}) must be at least bodyLimitBytes (${bodyLimitBytes}).`,
    );
  }
  if (bodyBufferLimitBytes < tenantBodyBufferLimitBytes) {
    throw new RangeError(
      `bodyBufferLimitBytes (${bodyBufferLimitBytes}) must be at least tenantBodyBufferLimitBytes (${tenantBodyBufferLimitBytes}).`,
    );
  }
  return {
    port,
    host: options.host ?? '127.0.0.1',
    seed,
    apiKeys,
    modelsDir: options.modelsDir,
    bodyLimitBytes,
    bodyBufferLimitBytes,
    tenantBodyBufferLimitBytes,
    headersTimeoutMs,
    requestTimeoutMs,
  };
}
