import { errorBody } from '../http/error-body.js';
import type { RequestContext } from '../http/request-context.js';
import type { RequestInterceptor } from '../http/request-pipeline.js';
import type { WorkOutcome } from '../http/request-settlement.js';
import type { EventStreamRouteResponse, RouteResponse } from '../http/route-response.js';
import { eventFrame, type StreamFraming, streamFramingOf } from '../http/stream-framing.js';
import { type RecordingOutcome, recordEventStream } from './record-event-stream.js';
import type { ReplayEvent } from './replay-types.js';
import { streamCancelHeaders } from './stream-cancel-advert.js';
import type { StreamRecordingRegistry } from './stream-recording-registry.js';

/**
 * The bytes an event takes on the wire, as the stream writer frames it: a stream's `bytes_out` is
 * the sum over its events, each once, which is what a client reads over its connections when
 * a cut falls between events and the resume starts after the last event it got.
 */
function frameBytes(framing: StreamFraming, event: ReplayEvent): number {
  return Buffer.byteLength(eventFrame(framing, event.id, event.data));
}

function workOutcomeOf(outcome: RecordingOutcome, context: RequestContext): WorkOutcome {
  if (outcome === 'completed') return 'completed';
  // A generation stopped by its own signal (abandoned, server closing) was cut, not broken.
  return outcome === 'aborted' || context.workAborted ? 'aborted' : 'failed';
}

function record(
  context: RequestContext,
  response: EventStreamRouteResponse,
  recordings: StreamRecordingRegistry,
): RouteResponse {
  const recording = recordings.open(context);
  const { buffer } = recording;
  // Metered as recorded: the call pays for its stream once, however many sockets carry it.
  const framing = streamFramingOf(context.dialect);
  buffer.subscribe(0, {
    onEvent: (event) => context.meter.addBytesOut(frameBytes(framing, event)),
    onEnd: () => {},
  });
  const recorded = recordEventStream(buffer, response.events, {
    signal: context.workSignal,
    errorEvent: (error) => JSON.stringify(errorBody(context.dialect, context.errorOf(error))),
  });
  context.settlement.track(
    recorded.then((outcome) => {
      recording.ended();
      return workOutcomeOf(outcome, context);
    }),
  );
  recording.follow(context);
  return {
    kind: 'buffered-stream',
    buffer,
    afterEventId: 0,
    headers: { ...response.headers, ...streamCancelHeaders },
  };
}

/**
 * Makes the event stream of a POST with an Idempotency-Key resumable: the route's events are
 * recorded into the replay store under (tenant, key) by a recorder that does not depend on the
 * socket, and the socket follows the recording. When the connection breaks (a client drop, a
 * `drop_after` fault) the generation runs on into the buffer for the resume window, so a
 * repeat with `Last-Event-ID` gets the rest with the same text and nothing is generated (or
 * billed) twice; once no socket followed it for the window, or on `POST /v1/streams/cancel`
 * (advertised in `x-aiaas-stream-cancel`), it stops and is billed for what it generated.
 * Streams without a key are written straight from the route, and stop with the client.
 *
 * @example
 * const interceptors = [..., idempotencyInterceptor(store, recordings), billing, streamRecordingInterceptor(recordings)];
 */
export function streamRecordingInterceptor(recordings: StreamRecordingRegistry): RequestInterceptor {
  return (context, next) => {
    // Only work that outlives its client is recorded; the rest passes straight through.
    if (!context.outlivesClient) return next(context);
    return next(context).then((response) =>
      response.kind === 'event-stream' ? record(context, response, recordings) : response,
    );
  };
}
