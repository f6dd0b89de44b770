import { describe, expect, it } from 'vitest';
import { billingStatusOf } from '../../../../src/server/billing/billing-status.js';

const answered = { status: 200, disconnected: false };
const left = { status: 200, disconnected: true };
const facts = { threw: false, workAborted: false, keptForRetry: false };

describe('billingStatusOf', () => {
  it('judges a stream by its generation, whatever happened to its sockets', () => {
    expect(billingStatusOf({ ...facts, settlement: { response: left, work: 'completed' } })).toBe('ok');
    expect(billingStatusOf({ ...facts, settlement: { response: answered, work: 'failed' } })).toBe('error');
    expect(billingStatusOf({ ...facts, settlement: { response: left, work: 'aborted' } })).toBe('aborted');
  });

  it('judges anything else by its answer', () => {
    expect(billingStatusOf({ ...facts, settlement: { response: answered, work: undefined } })).toBe('ok');
    const failed = { response: { status: 400, disconnected: false }, work: undefined };
    expect(billingStatusOf({ ...facts, threw: true, settlement: failed })).toBe('error');
    expect(billingStatusOf({ ...facts, threw: true, workAborted: true, settlement: failed })).toBe('aborted');
    expect(billingStatusOf({ ...facts, settlement: { response: left, work: undefined } })).toBe('aborted');
    // Kept for replay: the retry gets the answer, so the work was not wasted.
    expect(
      billingStatusOf({ ...facts, keptForRetry: true, settlement: { response: left, work: undefined } }),
    ).toBe('ok');
  });
});
