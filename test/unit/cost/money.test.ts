import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDecimal } from '../../../src/cost/decimal.js';
import { Money } from '../../../src/cost/money.js';
import { AiaasError } from '../../../src/errors/index.js';

const units = fc.bigInt({ min: -(10n ** 27n), max: 10n ** 27n });
const usd = (value: bigint) => Money.fromUnits(value, 'USD');

describe('Money construction', () => {
  it('parses decimal strings exactly at the 1e-12 scale', () => {
    expect(Money.SCALE_DIGITS).toBe(12);
    expect(Money.of('1.23', 'USD').units).toBe(1_230_000_000_000n);
    expect(Money.of('0.000000000001', 'USD').units).toBe(1n);
    expect(Money.of('-4', 'EUR').units).toBe(-4_000_000_000_000n);
  });

  it('refuses numbers for amounts with a clear error', () => {
    expect(() => Money.of(0.1 as unknown as string, 'USD')).toThrow(/decimal string.*number 0\.1/);
  });

  it('refuses precision beyond the scale unless a rounding mode is given', () => {
    expect(() => Money.of('0.0000000000005', 'USD')).toThrow(/more than 12 decimal places/);
    expect(Money.of('0.0000000000005', 'USD', { rounding: 'half-even' }).units).toBe(0n);
    expect(Money.of('0.0000000000015', 'USD', { rounding: 'half-even' }).units).toBe(2n);
    expect(Money.of('0.0000000000005', 'USD', { rounding: 'up' }).units).toBe(1n);
  });

  it('validates currency codes', () => {
    expect(() => Money.of('1', 'usd')).toThrow(/ISO 4217/);
    expect(() => Money.zero('DOLLARS')).toThrow(AiaasError);
  });

  it('accepts bigint units only in fromUnits', () => {
    expect(Money.fromUnits(7n, 'USD').toDecimalString()).toBe('0.000000000007');
    expect(() => Money.fromUnits(7 as unknown as bigint, 'USD')).toThrow(/bigint/);
  });
});

describe('Money arithmetic', () => {
  it('throws an AiaasError naming both currencies when they are mixed', () => {
    const error = (() => {
      try {
        Money.of('1', 'USD').plus(Money.of('1', 'EUR'));
      } catch (caught) {
        return caught;
      }
    })();
    expect(AiaasError.isInstance(error)).toBe(true);
    expect((error as AiaasError).message).toMatch(/USD.*EUR/);
    expect((error as AiaasError).code).toBe('currency_mismatch');
    expect(() => Money.of('1', 'USD').compare(Money.of('1', 'EUR'))).toThrow(/USD and EUR/);
    expect(Money.of('1', 'USD').equals(Money.of('1', 'EUR'))).toBe(false);
  });

  it('sums a million tiny charges exactly (a float sum drifts)', () => {
    const charge = Money.of('0.000000150', 'USD');
    let total = Money.zero('USD');
    let floatTotal = 0;
    for (let index = 0; index < 1_000_000; index += 1) {
      total = total.plus(charge);
      floatTotal += 0.00000015;
    }
    expect(total.toDecimalString()).toBe('0.15');
    expect(total.equals(Money.of('0.15', 'USD'))).toBe(true);
    expect(floatTotal).not.toBe(0.15);
  });

  it('multiplies by a decimal rate with one declared rounding', () => {
    expect(Money.of('10', 'USD').times('0.075').toDecimalString()).toBe('0.75');
    expect(Money.of('3', 'USD').times(4n).toDecimalString()).toBe('12');
    // 0.000000000001 * 0.5 is exactly half a unit: half-even keeps 0, half-up goes to 1.
    expect(usd(1n).times('0.5').units).toBe(0n);
    expect(usd(1n).times('0.5', 'half-up').units).toBe(1n);
    expect(usd(3n).times('0.5').units).toBe(2n);
    expect(() => usd(1n).times(0.5 as unknown as string)).toThrow(/decimal string/);
  });

  it('prices a quantity at a rate per unit exactly', () => {
    const cost = Money.fromRate({ rate: '2.50', quantity: 1234n, per: 1_000_000n, currency: 'USD' });
    expect(cost.toDecimalString()).toBe('0.003085');
    expect(Money.fromRate({ rate: '1e-7', quantity: 3n, currency: 'USD' }).toDecimalString()).toBe(
      '0.0000003',
    );
  });

  it('compares and classifies', () => {
    expect(Money.of('1', 'USD').compare(Money.of('2', 'USD'))).toBe(-1);
    expect(Money.of('2', 'USD').compare(Money.of('2.0', 'USD'))).toBe(0);
    expect(Money.of('-1', 'USD').isNegative()).toBe(true);
    expect(Money.zero('USD').isZero()).toBe(true);
    expect(Money.of('0.01', 'USD').minus(Money.of('0.01', 'USD')).isZero()).toBe(true);
    expect(Money.of('2', 'USD').negate().toDecimalString()).toBe('-2');
  });

  it('plus is associative and commutative, minus undoes plus', () => {
    fc.assert(
      fc.property(units, units, units, (a, b, c) => {
        expect(
          usd(a)
            .plus(usd(b))
            .plus(usd(c))
            .equals(usd(a).plus(usd(b).plus(usd(c)))),
        ).toBe(true);
        expect(
          usd(a)
            .plus(usd(b))
            .equals(usd(b).plus(usd(a))),
        ).toBe(true);
        expect(usd(a).plus(usd(b)).minus(usd(b)).equals(usd(a))).toBe(true);
      }),
    );
  });

  it('times(rate) is within half a unit of the exact product (half-even)', () => {
    fc.assert(
      fc.property(
        units,
        fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }),
        fc.integer({ min: 0, max: 9 }),
        (a, rateUnits, scale) => {
          const rate = formatDecimal({ units: rateUnits, scale });
          const result = usd(a).times(rate).units;
          const error = result * 10n ** BigInt(scale) - a * rateUnits;
          expect(2n * (error < 0n ? -error : error) <= 10n ** BigInt(scale)).toBe(true);
        },
      ),
    );
  });
});

describe('Money.allocate', () => {
  it('splits by largest remainder, leftover units to the largest remainders', () => {
    expect(
      usd(10n)
        .allocate([1, 1, 1])
        .map((part) => part.units),
    ).toEqual([4n, 3n, 3n]);
    expect(
      usd(100n)
        .allocate(['0.5', '0.3', '0.2'])
        .map((part) => part.units),
    ).toEqual([50n, 30n, 20n]);
    expect(
      usd(5n)
        .allocate([1n, 3n])
        .map((part) => part.units),
    ).toEqual([1n, 4n]);
    expect(
      usd(-10n)
        .allocate([1, 1, 1])
        .map((part) => part.units),
    ).toEqual([-4n, -3n, -3n]);
    expect(
      usd(7n)
        .allocate([0, 1])
        .map((part) => part.units),
    ).toEqual([0n, 7n]);
  });

  it('refuses empty, all-zero and negative ratios', () => {
    expect(() => usd(1n).allocate([])).toThrow(AiaasError);
    expect(() => usd(1n).allocate([0, 0])).toThrow(/positive ratio/);
    expect(() => usd(1n).allocate([1, -1])).toThrow(/negative/);
  });

  it('parts always sum exactly and each is within one unit of its exact share', () => {
    fc.assert(
      fc.property(
        units,
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 6n }), { minLength: 1, maxLength: 12 }),
        (a, ratios) => {
          fc.pre(ratios.some((ratio) => ratio > 0n));
          const parts = usd(a).allocate(ratios);
          expect(parts).toHaveLength(ratios.length);
          expect(Money.sum('USD', parts).equals(usd(a))).toBe(true);
          const total = ratios.reduce((sum, ratio) => sum + ratio, 0n);
          parts.forEach((part, index) => {
            const error = part.units * total - a * (ratios[index] as bigint);
            expect((error < 0n ? -error : error) < total).toBe(true);
          });
        },
      ),
    );
  });
});

describe('Money formatting and JSON', () => {
  it('toDecimalString keeps full precision, format rounds for display only', () => {
    const amount = Money.of('2.345', 'USD');
    expect(amount.toDecimalString()).toBe('2.345');
    expect(amount.format()).toBe('2.34');
    expect(amount.format({ digits: 2, rounding: 'half-up' })).toBe('2.35');
    expect(amount.format({ digits: 0, rounding: 'ceiling' })).toBe('3');
    expect(amount.format({ digits: 5 })).toBe('2.34500');
    expect(Money.of('-0.005', 'USD').format({ digits: 2, rounding: 'half-up' })).toBe('-0.01');
    expect(() => amount.format({ digits: 13 })).toThrow(/0 to 12/);
    expect(String(amount)).toBe('2.345 USD');
  });

  it('serialises to decimal strings and back', () => {
    const amount = Money.of('0.00000015', 'EUR');
    expect(amount.toJSON()).toEqual({ amount: '0.00000015', currency: 'EUR' });
    expect(JSON.stringify({ amount })).toBe('{"amount":{"amount":"0.00000015","currency":"EUR"}}');
    expect(Money.fromJSON(JSON.parse(JSON.stringify(amount))).equals(amount)).toBe(true);
    expect(() => Money.fromJSON({ amount: 1.5, currency: 'USD' })).toThrow(/decimal string/);
    expect(() => Money.fromJSON(null)).toThrow(AiaasError);
  });

  it('parse after format round-trips for any amount', () => {
    fc.assert(
      fc.property(units, (a) => {
        const amount = usd(a);
        expect(Money.of(amount.toDecimalString(), 'USD').equals(amount)).toBe(true);
        expect(Money.of(amount.format({ digits: 12 }), 'USD').equals(amount)).toBe(true);
        expect(Money.fromJSON(amount.toJSON()).equals(amount)).toBe(true);
      }),
    );
  });
});
