import type { ProviderCallOptions, ProviderStream } from '../providers/provider-types.js';
import type { ChatEventSource } from '../streaming/chat-event-reader.js';
import type { ChatStreamEvent } from '../streaming/chat-stream-events.js';
import { openChatEventSource } from '../streaming/create-chat-stream.js';
import type { Reconnect } from '../streaming/resumable-stream.js';
import { errorFields } from '../transport/sdk-logger.js';
import type { CallCostMeter } from './call-cost-meter.js';
import type { CallAttempt } from './call-runner.js';
import {
  type ClientContext,
  callIdempotencyKey,
  providerOptionsFor,
  runOptionsFor,
} from './client-context.js';
import type { CallMetering } from './cost-accounting.js';
import { MeteredChatStream } from './metered-chat-stream.js';
import { MeteredEventSource } from './metered-event-source.js';
import { checkCallOptions } from './option-rules.js';
import type { StreamRequestOptions } from './request-options.js';
import { StreamBodyBytes } from './stream-body-bytes.js';
import { StreamCancellation } from './stream-cancellation.js';
import { StreamCostRecorder } from './stream-cost-recorder.js';
import { streamReconnectDelay } from './stream-reconnect-delay.js';
import { ProviderReach } from './uncertain-charge.js';

/** A streamed call as a resource describes it. */
export interface StreamCall {
  readonly operation: string;
  readonly metering: CallMetering;
  /** Prompt tokens counted before sending: a stream that ends early still pays for its input. */
  readonly promptTokens: () => number;
  /** Opens the stream once (`doStream`, `doCompletionStream`); also used to resume it. */
  readonly send: (options: ProviderCallOptions) => Promise<ProviderStream>;
}

interface OpenedAttempt {
  readonly source: ChatEventSource;
  readonly controller: AbortController;
  /** Fires when the stream is stopped: its controller, or the caller's signal. */
  readonly stopped: AbortSignal;
  readonly first: ChatStreamEvent | undefined;
  readonly connection: AbortController;
  readonly attempt: number;
  readonly requestId: string | undefined;
  /** Bytes sent and received over the stream's connections, for its usage. */
  readonly bytes: StreamBodyBytes;
  /** The opening response's headers: whether the server can cancel the stream is read from them once. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The first response's signal: aborted with the attempt (the caller, the deadline), with the
 * stream, or on its own when a resume abandons that response. Listeners rather than
 * `AbortSignal.any`, which keeps a set of weak references per signal for as long as it lives.
 */
function initialBodyController(attemptSignal: AbortSignal, streamSignal: AbortSignal): AbortController {
  const initialBody = new AbortController();
  for (const signal of [attemptSignal, streamSignal]) {
    if (signal.aborted) initialBody.abort(signal.reason);
    else signal.addEventListener('abort', () => initialBody.abort(signal.reason), { once: true });
  }
  return initialBody;
}

/**
 * One attempt: send, then read up to the first event, so that a failure before it (an error
 * status, a reset, a stall past `firstTokenTimeout`, a truncated body) is retried like any
 * call. Resumes go out with the same idempotency key plus `Last-Event-ID`.
 */
async function openAttempt(
  context: ClientContext,
  call: StreamCall,
  options: StreamRequestOptions,
  attempt: CallAttempt,
  promptTokens: number,
  reach: ProviderReach,
): Promise<OpenedAttempt> {
  // The one controller of the stream: `abort()`, the cost recorder and a failed attempt stop it,
  // and it closes every body (and resume) at once: a generator body cannot be interrupted mid-read.
  // Each controller or composed signal costs about 1–2 KB per open stream: this one is also the
  // ChatStream's, and the first response gets only a listener-fed one of its own.
  const connection = new AbortController();
  // Only the first response: a resume that abandons it (stalled, unreadable) must free its socket.
  const initialBody = initialBodyController(attempt.signal, connection.signal);
  const base = providerOptionsFor(context, options, attempt);
  const requestSentAt = performance.now();
  const bytes = new StreamBodyBytes();
  const callLimit = options.maxResponseBytes;
  const send = call.send;
  try {
    const response = await send({ ...base, signal: initialBody.signal });
    bytes.add(response.bodyByteCount, { opening: true });
    // `signal` already follows the stream's controller (the reader's signal).
    const reconnect: Reconnect = async (lastEventId, signal) => {
      // The reader resumes outside the attempt's run, so its log lines are told the call again.
      const fields = {
        operation: call.operation,
        attempt: attempt.attempt,
        idempotencyKey: attempt.idempotencyKey,
        lastEventId,
      };
      const resumed = await context.logger.withFields(fields, () =>
        send({ ...base, signal, headers: { ...options.headers, 'last-event-id': lastEventId } }),
      );
      bytes.add(resumed.bodyByteCount, { opening: false });
      return resumed.body;
    };
    const { defaults } = context;
    const idleTimeout = options.idleTimeout ?? defaults.idleTimeout;
    const { source, controller, signal } = openChatEventSource(response, {
      controller: connection,
      signal: options.signal,
      reconnect,
      maxResumes: options.maxResumes ?? defaults.maxResumes,
      abandonInitialBody: () => initialBody.abort(),
      firstTokenTimeout: options.firstTokenTimeout ?? defaults.firstTokenTimeout,
      idleTimeout,
      reconnectDelay: streamReconnectDelay(idleTimeout),
      requestSentAt,
      promptTokens,
      // Every connection of the stream together: its text can never outgrow this.
      maxResponseBytes: callLimit ?? context.transport.maxResponseBytes,
    });
    const first = await source.next();
    return {
      source,
      controller,
      stopped: signal,
      first,
      connection,
      attempt: attempt.attempt,
      requestId: response.requestId,
      bytes,
      headers: response.headers,
    };
  } catch (error) {
    connection.abort();
    // A stream that failed before its first event may still have been run and billed.
    reach.note(error);
    throw error;
  }
}

/**
 * Opens a metered stream: price check and budget reservation first (nothing is sent if either
 * fails), then the attempts through the call runner, then a {@link MeteredChatStream} that
 * records its one ledger entry and settles the budget when it ends.
 *
 * @example
 * const stream = await openMeteredStream(context, { operation: 'chat.completions.stream', metering, promptTokens, send }, options);
 */
export async function openMeteredStream(
  context: ClientContext,
  call: StreamCall,
  options: StreamRequestOptions,
): Promise<MeteredChatStream> {
  checkCallOptions(options);
  const idempotencyKey = callIdempotencyKey(options);
  const scope = context.telemetry?.startCall({
    operation: call.operation,
    model: call.metering.model,
    provider: context.provider.name,
    idempotencyKey,
  });
  let meter: CallCostMeter | undefined;
  let opened: OpenedAttempt;
  let promptTokens: number;
  const reach = new ProviderReach();
  try {
    meter = await context.costs.begin(call.metering, { idempotencyKey, tags: options.tags });
    promptTokens = call.promptTokens();
    opened = await context.runCall(
      (attempt) => openAttempt(context, call, options, attempt, promptTokens, reach),
      runOptionsFor(context, call.operation, options, idempotencyKey),
    );
  } catch (error) {
    // Nothing was streamed, so no ledger entry will end the call span: end it here.
    void scope?.end(error);
    if (meter !== undefined) {
      // Held, not released, when the request may have been billed (see UncertainCharges).
      await context.uncertainCharges.finishFailed(
        {
          meter,
          idempotencyKey,
          estimate: () => call.metering.estimate(),
          headers: options.headers,
          error,
        },
        reach,
      );
    }
    throw error;
  }
  const recorder = new StreamCostRecorder({
    meter,
    attempt: opened.attempt,
    requestId: opened.requestId,
    provider: context.provider.name,
    promptTokens,
    accumulator: opened.source.accumulator,
    connection: opened.connection,
    bytes: opened.bytes,
    telemetry: scope,
    cancellation: StreamCancellation.advertised(context, opened.headers, idempotencyKey, options.headers),
    position: opened.source,
    logger: context.logger,
  });
  const source = new MeteredEventSource(opened.source, opened.first, recorder, context.logger);
  const { stopped } = opened;
  // The recorder claims its one entry before it aborts the controller itself, so this finds it under way.
  const onStop = () => {
    void recorder.abandoned().catch((error: unknown) => {
      context.logger.error('Recording the cost of an aborted stream failed', {
        requestId: opened.requestId,
        ...errorFields(error),
      });
    });
  };
  if (stopped.aborted) onStop();
  else stopped.addEventListener('abort', onStop, { once: true });
  return new MeteredChatStream(source, opened.controller, opened.requestId, recorder, {
    attempts: opened.attempt,
    idempotencyKey,
  });
}
