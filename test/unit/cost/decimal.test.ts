import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalDecimal,
  compareDecimals,
  divideRounded,
  formatDecimal,
  isDecimalString,
  parseDecimal,
  ROUNDING_MODES,
  type RoundingMode,
  rescale,
  shiftDecimal,
} from '../../../src/cost/decimal.js';
import { AiaasError } from '../../../src/errors/index.js';

describe('parseDecimal', () => {
  it('parses plain, signed, leading-dot and exponent forms exactly', () => {
    expect(parseDecimal('2.50')).toEqual({ units: 250n, scale: 2 });
    expect(parseDecimal('-3')).toEqual({ units: -3n, scale: 0 });
    expect(parseDecimal('+0.001')).toEqual({ units: 1n, scale: 3 });
    expect(parseDecimal('.5')).toEqual({ units: 5n, scale: 1 });
    expect(parseDecimal('2.5e-6')).toEqual({ units: 25n, scale: 7 });
    expect(parseDecimal('1E3')).toEqual({ units: 1000n, scale: 0 });
    expect(parseDecimal('1.25e1')).toEqual({ units: 125n, scale: 1 });
  });

  it.each(['', ' 1', '1 ', '1.', 'abc', '1,5', '0x10', 'NaN', 'Infinity', '1e', '--1', '1e99999'])(
    'rejects %j with a message naming the value',
    (text) => {
      expect(() => parseDecimal(text)).toThrow(AiaasError);
      expect(isDecimalString(text)).toBe(false);
    },
  );

  it('refuses numbers and says why', () => {
    expect(() => parseDecimal(0.1 as unknown as string, 'price')).toThrow(
      /price must be a decimal string.*0\.1/,
    );
  });
});

describe('formatDecimal and canonicalDecimal', () => {
  it('drops trailing zeros, never uses exponent notation', () => {
    expect(canonicalDecimal('2.5e-6')).toBe('0.0000025');
    expect(canonicalDecimal('1e-7')).toBe('0.0000001');
    expect(canonicalDecimal('10.500')).toBe('10.5');
    expect(canonicalDecimal('-0.000')).toBe('0');
    expect(canonicalDecimal('1.5e3')).toBe('1500');
  });

  it('pads to the requested digits', () => {
    expect(formatDecimal({ units: 5n, scale: 2 }, 2)).toBe('0.05');
    expect(formatDecimal({ units: -5n, scale: 0 }, 3)).toBe('-5.000');
  });

  it('round-trips every value through its canonical string', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.integer({ min: 0, max: 20 }),
        (units, scale) => {
          const text = formatDecimal({ units, scale });
          expect(compareDecimals(parseDecimal(text), { units, scale })).toBe(0);
        },
      ),
    );
  });
});

describe('shiftDecimal', () => {
  it('moves the decimal point without arithmetic on floats', () => {
    expect(formatDecimal(shiftDecimal(parseDecimal('0.0000025'), 6))).toBe('2.5');
    expect(formatDecimal(shiftDecimal(parseDecimal('3'), 6))).toBe('3000000');
    expect(formatDecimal(shiftDecimal(parseDecimal('3'), -2))).toBe('0.03');
  });
});

describe('divideRounded', () => {
  const cases: [bigint, bigint, RoundingMode, bigint][] = [
    [5n, 2n, 'half-even', 2n],
    [7n, 2n, 'half-even', 4n],
    [-5n, 2n, 'half-even', -2n],
    [-7n, 2n, 'half-even', -4n],
    [5n, 2n, 'half-up', 3n],
    [-5n, 2n, 'half-up', -3n],
    [7n, 3n, 'down', 2n],
    [-7n, 3n, 'down', -2n],
    [7n, 3n, 'up', 3n],
    [-7n, 3n, 'up', -3n],
    [7n, 3n, 'ceiling', 3n],
    [-7n, 3n, 'ceiling', -2n],
    [7n, 3n, 'floor', 2n],
    [-7n, 3n, 'floor', -3n],
    [7n, -2n, 'half-even', -4n],
    [6n, 3n, 'up', 2n],
  ];
  it.each(cases)('%s / %s with %s is %s', (numerator, denominator, mode, expected) => {
    expect(divideRounded(numerator, denominator, mode)).toBe(expected);
  });

  it('refuses division by zero and unknown modes', () => {
    expect(() => divideRounded(1n, 0n)).toThrow(AiaasError);
    expect(() => divideRounded(1n, 3n, 'sideways' as RoundingMode)).toThrow(/rounding mode/);
  });

  it('always lands within one unit of the exact quotient, in the declared direction', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }),
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.constantFrom(...ROUNDING_MODES),
        (numerator, denominator, mode) => {
          const result = divideRounded(numerator, denominator, mode);
          // error = result - numerator/denominator, scaled by denominator
          const error = result * denominator - numerator;
          const absoluteError = error < 0n ? -error : error;
          expect(absoluteError < denominator).toBe(true);
          if (mode === 'floor') expect(error <= 0n).toBe(true);
          if (mode === 'ceiling') expect(error >= 0n).toBe(true);
          const resultMagnitude = (result < 0n ? -result : result) * denominator;
          const exactMagnitude = numerator < 0n ? -numerator : numerator;
          if (mode === 'down')
            expect(resultMagnitude <= exactMagnitude && result * numerator >= 0n).toBe(true);
          if (mode === 'up') expect(resultMagnitude >= exactMagnitude && result * numerator >= 0n).toBe(true);
          if (mode === 'half-even' || mode === 'half-up')
            expect(2n * absoluteError <= denominator).toBe(true);
          if (mode === 'half-even' && 2n * absoluteError === denominator) expect(result % 2n).toBe(0n);
        },
      ),
    );
  });
});

describe('rescale', () => {
  it('only rounds when digits are dropped', () => {
    expect(rescale({ units: 125n, scale: 2 }, 4)).toBe(12500n);
    expect(rescale({ units: 125n, scale: 2 }, 1)).toBe(12n);
    expect(rescale({ units: 135n, scale: 2 }, 1)).toBe(14n);
    expect(rescale({ units: 125n, scale: 2 }, 1, 'half-up')).toBe(13n);
  });
});
