/**
 * The part of an OpenTelemetry `Tracer` that aiaas calls, declared here so that aiaas's types
 * do not need the optional `@opentelemetry/api` package. Any real `Tracer` fits.
 */
export interface TelemetryTracer {
  startSpan(name: string, options?: object, context?: object): object;
}
