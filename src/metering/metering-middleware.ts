import { ResponseTooLargeError } from '../errors/index.js';
import { errorFields, type SdkLogger } from '../transport/sdk-logger.js';
import type { CallCostMeter } from './call-cost-meter.js';
import type { CallDescription, CallMetering, CallMiddleware, MeterableStream } from './call-middleware.js';
import type { CostAccounting } from './cost-accounting.js';
import { oversizedResponseUsage } from './oversized-response-usage.js';
import type { UncertainCharges } from './uncertain-charge.js';

export interface MeteringOptions {
  readonly costs: CostAccounting;
  readonly uncertainCharges: UncertainCharges;
  readonly logger: SdkLogger;
}

/**
 * THE cost path of every call and stream: quote → reserve → send → usage → settle → ledger.
 * Before anything is sent it fails an unpriced model and reserves the budget. A call's answer is
 * priced and recorded at once; a stream's ending, whichever it is, when it happens. A failure
 * after the request may have reached the provider keeps the reservation until the charge is
 * known (see {@link UncertainCharges}); only a failure that cannot have cost money releases it.
 *
 * @example
 * const middleware = [telemetryCallMiddleware(tracer), meteringMiddleware({ costs, uncertainCharges, logger })];
 */
export function meteringMiddleware(options: MeteringOptions): CallMiddleware {
  const { costs } = options;
  return {
    async wrapCall(call, next) {
      const { metering } = call;
      if (metering === undefined) return next();
      const meter = await costs.begin(metering, call);
      let outcome: Awaited<ReturnType<typeof next>>;
      try {
        outcome = await next();
      } catch (error) {
        await settleFailure(options, call, metering, meter, error);
        throw error;
      }
      try {
        if (metering.usage === undefined)
          throw new TypeError(`${call.operation} is metered without a usage reader.`);
        const usage = metering.usage(outcome);
        const cost = await meter.record({
          attempt: outcome.attempts,
          requestId: outcome.response.requestId,
          usage,
          status: 'ok',
        });
        return { data: outcome.data, response: outcome.response, usage, cost, attempts: outcome.attempts };
      } finally {
        // Without a reservation there is nothing to settle: no await on the common path.
        if (meter.holdsReservation) await meter.finish();
      }
    },

    async wrapStream<Stream extends MeterableStream>(
      call: CallDescription,
      next: () => Promise<Stream>,
    ): Promise<Stream> {
      const { metering } = call;
      if (metering === undefined) return next();
      const meter = await costs.begin(metering, call);
      let stream: Stream;
      try {
        stream = await next();
      } catch (error) {
        await settleFailure(options, call, metering, meter, error);
        throw error;
      }
      const { attempts: attempt, requestId } = stream;
      stream.settleWith(async (ending) => {
        try {
          const usage = await ending.usage();
          const cost = await meter.record({ attempt, requestId, usage, status: ending.status });
          return { attempt, usage, cost, status: ending.status };
        } finally {
          await meter.finish();
        }
      });
      return stream;
    },
  };
}

/**
 * A call that failed: an answer past `maxResponseBytes` was still produced and billed, so it
 * keeps an estimated entry; a call whose request may have reached the provider is held as
 * uncertain; any other releases its reservation.
 */
async function settleFailure(
  options: MeteringOptions,
  call: CallDescription,
  metering: CallMetering,
  meter: CallCostMeter,
  error: unknown,
): Promise<void> {
  if (error instanceof ResponseTooLargeError) {
    try {
      await meter.record({
        attempt: call.progress.attempts,
        requestId: error.requestId,
        usage: oversizedResponseUsage(error, metering.estimate()),
        status: 'error',
      });
    } catch (recordError) {
      // The call's own error is what its caller must see.
      options.logger.error('Recording the cost of an oversized response failed', {
        requestId: error.requestId,
        ...errorFields(recordError),
      });
    }
  }
  await options.uncertainCharges.finishFailed(
    {
      meter,
      idempotencyKey: call.idempotencyKey,
      estimate: metering.estimate,
      headers: call.headers,
      error,
    },
    call.progress.reachedProvider,
  );
}
