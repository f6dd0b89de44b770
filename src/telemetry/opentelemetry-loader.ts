import { AiaasError } from '../errors/index.js';

/** The `@opentelemetry/api` module, once loaded. */
export type OpenTelemetryApi = typeof import('@opentelemetry/api');

let loading: Promise<OpenTelemetryApi> | undefined;

/**
 * Loads `@opentelemetry/api` on first use. It is an optional peer dependency: an application
 * that never turns telemetry on never imports it, and one that does shares the copy its own
 * OpenTelemetry SDK registered with (the API keeps its global tracer provider on `globalThis`).
 *
 * @example
 * const { trace } = await loadOpenTelemetry();
 */
export function loadOpenTelemetry(): Promise<OpenTelemetryApi> {
  loading ??= import('@opentelemetry/api').catch((cause: unknown) => {
    loading = undefined;
    throw new AiaasError(
      'aiaas telemetry needs the optional peer dependency @opentelemetry/api: npm install @opentelemetry/api',
      { code: 'missing_peer_dependency', retryable: false, cause },
    );
  });
  return loading;
}
