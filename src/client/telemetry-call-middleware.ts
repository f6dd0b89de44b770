import type { CallDescription, CallMiddleware } from '../metering/call-middleware.js';
import type { TelemetryCallScope, TelemetryMiddleware } from './telemetry-hook.js';

function startScope(telemetry: TelemetryMiddleware, call: CallDescription): TelemetryCallScope | undefined {
  // Only calls that may cost money get a call span: it exists to carry the ledger's usage and cost.
  if (call.metering === undefined) return undefined;
  return telemetry.startCall({
    operation: call.operation,
    model: call.metering.model,
    provider: call.provider,
    idempotencyKey: call.idempotencyKey,
  });
}

/**
 * The span of each metered call (client option `telemetry`): it parents the attempt spans the
 * same telemetry object makes as transport middleware, and carries the ledger entry the call or
 * stream ended with. It sits outside the metering middleware, so it sees the recorded cost.
 */
export function telemetryCallMiddleware(telemetry: TelemetryMiddleware): CallMiddleware {
  return {
    async wrapCall(call, next) {
      const scope = startScope(telemetry, call);
      if (scope === undefined) return next();
      try {
        const outcome = await next();
        if (outcome.usage !== null) {
          scope.recorded({
            attempt: outcome.attempts,
            usage: outcome.usage,
            cost: outcome.cost,
            status: 'ok',
          });
        }
        void scope.end();
        return outcome;
      } catch (error) {
        void scope.end(error);
        throw error;
      }
    },

    async wrapStream(call, next) {
      const scope = startScope(telemetry, call);
      if (scope === undefined) return next();
      try {
        const stream = await next();
        stream.whenSettled(({ settlement, error }) => {
          if (settlement !== undefined) scope.recorded(settlement);
          void scope.end(error);
        });
        return stream;
      } catch (error) {
        void scope.end(error);
        throw error;
      }
    },
  };
}
