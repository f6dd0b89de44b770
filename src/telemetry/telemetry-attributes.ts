import type { GenAiOperation } from './gen-ai-request.js';
import type { GenAiResponseSummary } from './gen-ai-response-reader.js';

/**
 * Span attribute names: the OpenTelemetry GenAI semantic conventions (`gen_ai.*`), the general
 * ones (`server.*`, `error.type`, `http.*`), and aiaas's own (`aiaas.*`).
 */
export const telemetryAttributes = {
  operation: 'gen_ai.operation.name',
  system: 'gen_ai.system',
  // The newer name of `gen_ai.system`; both are set so backends on either version of the conventions read it.
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  statusCode: 'http.response.status_code',
  errorType: 'error.type',
  /** The exact cost of the call as a decimal string (`'0.000018'`), never a float. */
  cost: 'aiaas.cost',
  costCurrency: 'aiaas.cost.currency',
  /** 1 for the first attempt of a call; retries count up, stream resumes keep the attempt's number. */
  attempt: 'aiaas.attempt',
  /** On a call span: how many attempts it took. */
  attempts: 'aiaas.attempts',
  /** The SDK method, e.g. `chat.completions.create`. */
  sdkOperation: 'aiaas.operation',
  resumeFrom: 'aiaas.stream.resume_from_event_id',
  /** The caller stopped reading the body before it ended (a `break`, an abort). */
  cancelled: 'aiaas.response.cancelled',
} as const;

export type SpanAttributes = Record<string, string | number | boolean | string[]>;

/** `chat ref-chat`, as the conventions name a GenAI span: the operation, then the model when known. */
export function genAiSpanName(operation: GenAiOperation, model: string | undefined): string {
  return model === undefined || model === '' ? operation : `${operation} ${model}`;
}

/** The `gen_ai.response.*` and `gen_ai.usage.*` attributes of what a response said. */
export function responseAttributes(summary: GenAiResponseSummary): SpanAttributes {
  const attributes: SpanAttributes = {};
  if (summary.responseModel !== undefined)
    attributes[telemetryAttributes.responseModel] = summary.responseModel;
  if (summary.responseId !== undefined) attributes[telemetryAttributes.responseId] = summary.responseId;
  if (summary.finishReasons.length > 0) attributes[telemetryAttributes.finishReasons] = summary.finishReasons;
  if (summary.inputTokens !== undefined) attributes[telemetryAttributes.inputTokens] = summary.inputTokens;
  if (summary.outputTokens !== undefined) attributes[telemetryAttributes.outputTokens] = summary.outputTokens;
  return attributes;
}

/** A low-cardinality `error.type`: the HTTP status, else the error's code, else its class name. */
export function errorType(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { status, code, name } = error as { status?: unknown; code?: unknown; name?: unknown };
    if (typeof status === 'number') return String(status);
    if (typeof code === 'string' && code !== '') return code;
    if (typeof name === 'string' && name !== '') return name;
  }
  return '_OTHER';
}
