import type { BillingLedger } from '../billing/billing-ledger.js';
import type { BillingRecord } from '../billing/billing-record.js';
import { badRequest, HttpError } from '../http/http-error.js';
import { parseJsonBody } from '../http/request-body.js';
import type { RequestContext } from '../http/request-context.js';
import { jsonResponse } from '../http/route-response.js';
import type { Route } from '../http/route-table.js';
import { streamCancelPath } from './stream-cancel-advert.js';
import type { RecordingEnd, StreamRecording } from './stream-recording.js';
import type { StreamRecordingRegistry } from './stream-recording-registry.js';
import { lastEventIdOf } from './stream-resume.js';

/** The `POST /v1/streams/cancel` answer. */
export interface StreamCancellation {
  object: 'stream.cancellation';
  idempotency_key: string;
  /** `cancelled` when this (or an earlier) cancel stopped it; else how it ended on its own. */
  state: RecordingEnd;
  /** The `Last-Event-ID` the client sent (the last event it consumed), or null. */
  last_event_id: number | null;
  /** The billing record of the request that opened the stream, as `GET /v1/usage` lists it. */
  record: BillingRecord;
}

export interface StreamCancelRouteOptions {
  /** How long to wait for the stopped stream to settle and be billed before a 503. Default 10 s. */
  settleTimeoutMs?: number;
}

function streamKeyOf(context: RequestContext): string {
  const key = context.header('idempotency-key');
  if (key === undefined || key === '') {
    throw new HttpError(400, 'Name the stream to cancel in the Idempotency-Key header.', {
      param: 'idempotency-key',
      code: 'missing_idempotency_key',
    });
  }
  return key;
}

async function checkBody(context: RequestContext): Promise<void> {
  const body = await context.readBody();
  if (body.toString('utf8').trim() === '') return;
  const parsed = parseJsonBody(body);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('The body of a stream cancel must be empty or a JSON object such as {}.');
  }
}

/** Resolves true once the recording settled, false when `timeoutMs` passed first. */
async function settledWithin(recording: StreamRecording, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([recording.settled.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `POST /v1/streams/cancel` with `Idempotency-Key: <the stream's key>` (and optionally
 * `Last-Event-ID`, echoed): stops the caller's recorded stream of that key at once, waits
 * until its request has settled and been billed, and answers with that billing record, so a
 * client that stopped reading knows exactly what it owes. Cancelling again answers the same;
 * a finished stream is not touched (`state` says how it ended). Another tenant's key, or one
 * never streamed or forgotten, is a 404 `stream_not_found`. The cancel itself runs no model
 * and is not billed.
 *
 * @example
 * const routes = [streamCancelRoute(recordings, ledger)];
 * // curl -X POST $URL/v1/streams/cancel -H 'Authorization: Bearer sk-test' -H 'Idempotency-Key: k'
 */
export function streamCancelRoute(
  recordings: StreamRecordingRegistry,
  ledger: BillingLedger,
  options: StreamCancelRouteOptions = {},
): Route {
  const settleTimeoutMs = options.settleTimeoutMs ?? 10_000;
  return {
    method: 'POST',
    path: streamCancelPath,
    control: true,
    async handle(context) {
      const key = streamKeyOf(context);
      const lastEventId = lastEventIdOf(context.header('last-event-id'));
      await checkBody(context);
      const tenant = context.tenant.id;
      const recording = recordings.find(tenant, key);
      if (recording === undefined) {
        throw new HttpError(
          404,
          `There is no stream with this Idempotency-Key to cancel (it never streamed, or it is no longer held).`,
          {
            param: 'idempotency-key',
            code: 'stream_not_found',
          },
        );
      }
      recording.stop('The client cancelled the stream.');
      if (!(await settledWithin(recording, settleTimeoutMs))) {
        throw new HttpError(
          503,
          `The stream was told to stop but its request did not settle within ${settleTimeoutMs} ms; try the cancel again.`,
          { code: 'stream_cancel_pending', headers: { 'retry-after': '1' } },
        );
      }
      const record = ledger.recordOf(tenant, recording.requestId);
      if (record === undefined) {
        throw new HttpError(
          500,
          'The stream ended but its billing record was not kept; see the server log.',
          {
            code: 'billing_record_missing',
          },
        );
      }
      const end = recording.end;
      const cancellation: StreamCancellation = {
        object: 'stream.cancellation',
        idempotency_key: key,
        state: end === 'running' ? 'failed' : end,
        last_event_id: lastEventId ?? null,
        record,
      };
      return jsonResponse(cancellation);
    },
  };
}
