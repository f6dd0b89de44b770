import { describe, expect, it } from 'vitest';
import { BodyBufferBudget } from '../../../../src/server/http/body-buffer-budget.js';

describe('BodyBufferBudget', () => {
  it("refuses past the tenant's share first, then past the server's total, adding nothing when it refuses", () => {
    const budget = new BodyBufferBudget({ maxBytes: 100, maxBytesPerTenant: 60 });
    const first = budget.reserve('a');
    expect(first.grow(50)).toBeUndefined();
    expect(first.grow(20)).toEqual({ scope: 'tenant', limitBytes: 60 });
    expect(first.bytes).toBe(50);
    const second = budget.reserve('b');
    expect(second.grow(40)).toBeUndefined();
    expect(budget.reserve('c').grow(20)).toEqual({ scope: 'server', limitBytes: 100 });
    expect(budget.bytes).toBe(90);
    expect(budget.tenantBytes('a')).toBe(50);
  });

  it('gives every byte back once, and forgets a tenant that holds nothing', () => {
    const budget = new BodyBufferBudget({ maxBytes: 100, maxBytesPerTenant: 100 });
    const reservation = budget.reserve('a');
    reservation.grow(30);
    reservation.grow(30);
    const other = budget.reserve('a');
    other.grow(10);
    reservation.release();
    reservation.release();
    expect(budget.bytes).toBe(10);
    expect(budget.tenantBytes('a')).toBe(10);
    // A released reservation holds nothing more.
    expect(reservation.grow(50)).toBeUndefined();
    expect(budget.bytes).toBe(10);
    other.release();
    expect(budget.bytes).toBe(0);
    expect(budget.tenantBytes('a')).toBe(0);
  });

  it('rejects impossible limits', () => {
    expect(() => new BodyBufferBudget({ maxBytes: 0, maxBytesPerTenant: 1 })).toThrow(/maxBytes/);
    expect(() => new BodyBufferBudget({ maxBytes: 10, maxBytesPerTenant: 1.5 })).toThrow(/maxBytesPerTenant/);
  });
});
