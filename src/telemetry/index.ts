/**
 * `aiaas/telemetry`: OpenTelemetry tracing with the GenAI semantic conventions. Needs the
 * optional peer dependency `@opentelemetry/api`, loaded only when a traced request is sent.
 *
 * @example
 * import { createTelemetryMiddleware } from 'aiaas/telemetry';
 * const client = new AiaasClient({ baseURL, apiKey, telemetry: createTelemetryMiddleware() });
 */

export type {
  TelemetryCallInfo,
  TelemetryCallRecord,
  TelemetryCallScope,
  TelemetryMiddleware,
} from '../client/telemetry-hook.js';
export type { GenAiOperation } from './gen-ai-request.js';
export { telemetryAttributes } from './telemetry-attributes.js';
export { createTelemetryMiddleware, type TelemetryOptions } from './telemetry-middleware.js';
export type { TelemetryTracer } from './telemetry-tracer.js';
