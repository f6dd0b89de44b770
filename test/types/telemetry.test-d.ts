import type { Tracer } from '@opentelemetry/api';
import { describe, expectTypeOf, it } from 'vitest';
import type { TelemetryOptions, TelemetryTracer } from '../../src/telemetry/index.js';

describe('telemetry option types', () => {
  it('takes any OpenTelemetry Tracer without naming @opentelemetry/api in its own types', () => {
    expectTypeOf<Tracer>().toExtend<TelemetryTracer>();
    expectTypeOf<{ tracer: Tracer }>().toExtend<TelemetryOptions>();
    expectTypeOf<{ tracer: { startSpan: (name: number) => object } }>().not.toExtend<TelemetryOptions>();
  });
});
