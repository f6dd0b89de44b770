import { HttpError } from '../http/http-error.js';
import type { RequestContext } from '../http/request-context.js';
import type { RequestHandler, RequestInterceptor } from '../http/request-pipeline.js';
import { jsonBytes, jsonContentType } from '../http/response-writer.js';
import type { RawRouteResponse, RouteResponse } from '../http/route-response.js';
import { streamCancelHeaders } from '../streams/stream-cancel-advert.js';
import type { StreamRecordingRegistry } from '../streams/stream-recording-registry.js';
import { lastEventIdOf, resumeStream, streamNotResumable } from '../streams/stream-resume.js';
import { bodyFingerprint } from './body-fingerprint.js';
import type { IdempotencyStore } from './idempotency-store.js';
import type { IdempotencyBegin, IdempotencyNew, StoredResponse } from './idempotency-types.js';

/** Sent on every answer that was not produced afresh but replayed from the first attempt. */
export const replayedHeaders = { 'idempotent-replayed': 'true' } as const;

async function begin(
  context: RequestContext,
  store: IdempotencyStore,
  key: string,
): Promise<IdempotencyBegin> {
  const fingerprint = bodyFingerprint(await context.readBody(), `${context.method} ${context.path}`);
  let begun = store.begin(context.tenant.id, key, fingerprint);
  try {
    while (begun.kind === 'in-progress') begun = await begun.wait(context.signal);
  } catch (error) {
    if (!context.disconnected) throw error;
    // The duplicate's client left while it waited; there is nobody to answer.
    throw new HttpError(499, 'The client closed the request while it waited for its duplicate.');
  }
  return begun;
}

function replay(
  stored: StoredResponse,
  context: RequestContext,
  recordings: StreamRecordingRegistry,
  lastEventId: number | undefined,
): RouteResponse {
  const headers = { ...stored.headers, 'x-request-id': stored.requestId, ...replayedHeaders };
  if (stored.streamed === true) {
    const recording = recordings.find(context.tenant.id, context.idempotencyKey!);
    const resumed = resumeStream(recording?.buffer, lastEventId, { ...headers, ...streamCancelHeaders });
    // A resume keeps a running generation alive: the resume window restarts when this socket closes.
    recording?.follow(context);
    return resumed;
  }
  return { kind: 'raw', status: stored.status, body: stored.body, headers };
}

/** Stores the first attempt's answer and hands back exactly the bytes stored, so replays match it. */
function keep(begun: IdempotencyNew, response: RouteResponse, context: RequestContext): RouteResponse {
  const stored = (raw: Omit<StoredResponse, 'requestId'>) =>
    begun.complete({ ...raw, requestId: context.requestId });
  switch (response.kind) {
    case 'json': {
      const raw: RawRouteResponse = {
        kind: 'raw',
        status: response.status,
        body: jsonBytes(response.body),
        headers: { ...response.headers, ...jsonContentType },
      };
      stored({ status: raw.status, headers: raw.headers, body: raw.body });
      return raw;
    }
    case 'raw':
      stored({ status: response.status, headers: response.headers, body: response.body });
      return response;
    case 'buffered-stream':
      // The events live in the replay store under the same key; the entry marks the call as streamed.
      stored({ status: 200, headers: response.headers ?? {}, body: Buffer.alloc(0), streamed: true });
      return response;
    default:
      begun.fail();
      return response;
  }
}

/**
 * Honours `Idempotency-Key` on POST, per tenant: the first attempt runs and its answer is
 * stored (a JSON answer as its exact bytes, a stream as its recording); a repeat with the same
 * body gets the stored answer with the first `x-request-id` and `idempotent-replayed: true`,
 * and runs (and bills) nothing; a repeat with another body is a 409 `idempotency_key_reused`;
 * a duplicate arriving while the first runs waits for it. A streamed call repeated with
 * `Last-Event-ID: n` resumes after event n (and counts as a socket following the recording, for
 * the resume window). Failures (a thrown error, a 5xx, 408 or 429) are
 * not stored, so a retry runs again.
 *
 * @example
 * const interceptor = idempotencyInterceptor(new IdempotencyStore({ ... }), new StreamRecordingRegistry(new StreamReplayStore()));
 */
export function idempotencyInterceptor(
  store: IdempotencyStore,
  recordings: StreamRecordingRegistry,
): RequestInterceptor {
  // Not async: a request without a key passes straight through, with no promise of its own.
  return (context, next) => {
    const key = context.idempotencyKey;
    if (context.method !== 'POST' || key === undefined) return next(context);
    return runOnce(context, next, key, store, recordings);
  };
}

async function runOnce(
  context: RequestContext,
  next: RequestHandler,
  key: string,
  store: IdempotencyStore,
  recordings: StreamRecordingRegistry,
): Promise<RouteResponse> {
  // Read before `begin`: once begun, the call must be completed or failed.
  const lastEventId = lastEventIdOf(context.header('last-event-id'));
  const begun = await begin(context, store, key);
  if (begun.kind === 'conflict') {
    throw new HttpError(
      409,
      'This Idempotency-Key was already used with a different request body; use a new key for a new request.',
      { param: 'idempotency-key', code: 'idempotency_key_reused' },
    );
  }
  if (begun.kind === 'replay') return replay(begun.stored, context, recordings, lastEventId);
  if (begun.kind !== 'new') throw new Error(`Unexpected idempotency state ${begun.kind}.`);
  if (lastEventId !== undefined) {
    // A resume of a call the server has no record of: running it afresh would bill it again.
    begun.fail();
    throw streamNotResumable('the server has no record of a stream with this Idempotency-Key');
  }
  let response: RouteResponse;
  try {
    response = await next(context);
  } catch (error) {
    begun.fail();
    throw error;
  }
  return keep(begun, response, context);
}
