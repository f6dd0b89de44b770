/**
 * `aiaas/testing`: helpers for an application's own test suite against the reference server —
 * one server per test file, `x-aiaas-fault` headers, and a check that the server billed exactly
 * what the client recorded.
 *
 * @example
 * import { expectBilled, fault, faultHeaders, useReferenceServer } from 'aiaas/testing';
 *
 * const reference = useReferenceServer();
 * it('survives a 503 and bills once', async () => {
 *   const client = reference.client({ pricing: 'server' });
 *   await client.chat.completions.create(params, { headers: faultHeaders(fault.status(503, { times: 1 })) });
 *   await expectBilled(client.ledger, reference);
 * });
 */
export { describeBillingDifferences } from './billing-difference-report.js';
export {
  type BilledServer,
  BillingMismatchError,
  defaultBilledFields,
  type ExpectBilledOptions,
  expectBilled,
} from './expect-billed.js';
export {
  type FaultDirectiveText,
  type FaultTimesOptions,
  fault,
  faultHeader,
  faultHeaders,
  type StatusFaultOptions,
} from './fault-header-builder.js';
export type { TestRunnerHooks } from './test-runner-hooks.js';
export {
  type ReferenceServerFixture,
  type UseReferenceServerOptions,
  useReferenceServer,
} from './use-reference-server.js';
