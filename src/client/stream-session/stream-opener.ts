import type { CallDescription, CallMetering, CallProgress } from '../../metering/call-middleware.js';
import type { ProviderCallOptions, ProviderStream } from '../../providers/provider-types.js';
import type { ChatEventSource } from '../../streaming/chat-event-reader.js';
import type { ChatStreamEvent } from '../../streaming/chat-stream-events.js';
import { openChatEventSource } from '../../streaming/create-chat-stream.js';
import type { Reconnect } from '../../streaming/resumable-stream.js';
import type { CallAttempt } from '../call-runner.js';
import {
  type ClientContext,
  openWrappedStream,
  providerOptionsFor,
  runOptionsFor,
} from '../client-context.js';
import type { StreamRequestOptions } from '../request-options.js';
import { MeteredChatStream } from './metered-chat-stream.js';
import { StreamBodyBytes } from './stream-body-bytes.js';
import { StreamCancellation } from './stream-cancellation.js';
import { StreamEndingUsage } from './stream-ending-usage.js';
import { streamReconnectDelay } from './stream-reconnect-delay.js';
import { StreamSession } from './stream-session.js';

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
  progress: CallProgress,
): Promise<OpenedAttempt> {
  progress.attempts = attempt.attempt;
  // The one controller of the stream: `abort()`, its settled ending and a failed attempt stop it,
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
      attempt: attempt.attempt,
      requestId: response.requestId,
      bytes,
      headers: response.headers,
    };
  } catch (error) {
    connection.abort();
    // A stream that failed before its first event may still have been run and billed.
    progress.noteFailure(error);
    throw error;
  }
}

/**
 * Runs the attempts of one stream until its first event, and returns its session: the core the
 * client's middleware (telemetry, metering) wrap. A failure here was already noted on the
 * call's progress, so the metering knows whether the provider may have billed it.
 */
async function openStreamSession(
  context: ClientContext,
  call: StreamCall,
  description: CallDescription,
  options: StreamRequestOptions,
): Promise<StreamSession> {
  const promptTokens = call.promptTokens();
  const opened = await context.runCall(
    (attempt) => openAttempt(context, call, options, attempt, promptTokens, description.progress),
    runOptionsFor(context, call.operation, options, description.idempotencyKey),
  );
  return new StreamSession({
    source: opened.source,
    first: opened.first,
    controller: opened.controller,
    stopped: opened.stopped,
    attempts: opened.attempt,
    requestId: opened.requestId,
    logger: context.logger,
    usage: new StreamEndingUsage({
      provider: context.provider.name,
      requestId: opened.requestId,
      promptTokens,
      accumulator: opened.source.accumulator,
      bytes: opened.bytes,
      cancellation: StreamCancellation.advertised(
        context,
        opened.headers,
        description.idempotencyKey,
        options.headers,
      ),
      position: opened.source,
      logger: context.logger,
    }),
  });
}

/**
 * Opens a stream through the client's middleware: the price check and budget reservation come
 * first (nothing is sent if either fails), then the attempts, then a {@link MeteredChatStream}
 * whose ending the metering records once, whichever way it ends.
 *
 * @example
 * const stream = await openStream(context, { operation: 'chat.completions.stream', metering, promptTokens, send }, options);
 */
export async function openStream(
  context: ClientContext,
  call: StreamCall,
  options: StreamRequestOptions,
): Promise<MeteredChatStream> {
  let idempotencyKey: string | undefined;
  const session = await openWrappedStream(context, call.operation, options, call.metering, (description) => {
    idempotencyKey = description.idempotencyKey;
    return openStreamSession(context, call, description, options);
  });
  return new MeteredChatStream(session, { attempts: session.attempts, idempotencyKey });
}
