import { AiaasError } from '../errors/index.js';
import { DECIMAL_PATTERN, isDecimalString, MAX_EXPONENT } from '../wire/aiaas/decimal-string.js';

export { isDecimalString };

/**
 * How a value that falls between two representable values is rounded.
 * `half-even` (banker's rounding) is the default everywhere: it has no bias over many roundings.
 * `half-up` rounds a tie away from zero; `down`/`up` round toward/away from zero;
 * `ceiling`/`floor` round toward positive/negative infinity.
 */
export type RoundingMode = 'half-even' | 'half-up' | 'down' | 'up' | 'ceiling' | 'floor';

export const ROUNDING_MODES: readonly RoundingMode[] = [
  'half-even',
  'half-up',
  'down',
  'up',
  'ceiling',
  'floor',
];

/** An exact decimal: `units / 10^scale`, with `scale >= 0`. */
export interface DecimalValue {
  readonly units: bigint;
  readonly scale: number;
}

/**
 * Parses a decimal string exactly. Numbers are refused: most decimal fractions have no exact
 * binary form, so a number such as `0.1` has already lost the amount the caller meant.
 *
 * @example
 * parseDecimal('2.50'); // { units: 250n, scale: 2 }
 * parseDecimal('2.5e-6'); // { units: 25n, scale: 7 }
 */
export function parseDecimal(text: string, what = 'decimal'): DecimalValue {
  if (typeof text !== 'string') {
    const shown = typeof text === 'number' ? ` (got the number ${String(text)})` : '';
    throw new AiaasError(
      `A ${what} must be a decimal string such as '0.15'${shown}: numbers cannot hold most decimal amounts exactly.`,
      { code: 'invalid_decimal' },
    );
  }
  const match = DECIMAL_PATTERN.exec(text);
  const exponent = Number(match?.[5] ?? '0');
  if (match === null || Math.abs(exponent) > MAX_EXPONENT) {
    throw new AiaasError(
      `Invalid ${what} ${JSON.stringify(text)}: expected a decimal string such as '12.50'.`,
      {
        code: 'invalid_decimal',
      },
    );
  }
  const sign = match[1] === '-' ? -1n : 1n;
  const integerDigits = match[2] ?? '';
  const fractionDigits = match[3] ?? match[4] ?? '';
  const units = sign * BigInt(`${integerDigits}${fractionDigits}` || '0');
  return normalizeScale({ units, scale: fractionDigits.length - exponent });
}

/** Brings a negative scale back to zero by multiplying out, so `scale >= 0` always holds. */
function normalizeScale(value: { units: bigint; scale: number }): DecimalValue {
  if (value.scale >= 0) return value;
  return { units: value.units * 10n ** BigInt(-value.scale), scale: 0 };
}

/** `value * 10^power`, exactly. */
export function shiftDecimal(value: DecimalValue, power: number): DecimalValue {
  return normalizeScale({ units: value.units, scale: value.scale - power });
}

/**
 * `numerator / denominator` rounded to an integer with the given mode. All money rounding goes
 * through here, so one function decides every tie.
 */
export function divideRounded(
  numerator: bigint,
  denominator: bigint,
  mode: RoundingMode = 'half-even',
): bigint {
  if (denominator === 0n) throw new AiaasError('Division by zero in an exact decimal operation.');
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const truncated = numerator / denominator;
  const remainder = numerator % denominator;
  if (remainder === 0n) return truncated;
  const negative = numerator < 0n;
  const awayFromZero = negative ? truncated - 1n : truncated + 1n;
  const twiceRemainder = 2n * (remainder < 0n ? -remainder : remainder);
  switch (mode) {
    case 'down':
      return truncated;
    case 'up':
      return awayFromZero;
    case 'ceiling':
      return negative ? truncated : awayFromZero;
    case 'floor':
      return negative ? awayFromZero : truncated;
    case 'half-up':
      return twiceRemainder >= denominator ? awayFromZero : truncated;
    case 'half-even':
      if (twiceRemainder !== denominator) return twiceRemainder > denominator ? awayFromZero : truncated;
      return truncated % 2n === 0n ? truncated : awayFromZero;
    default:
      throw new AiaasError(
        `Unknown rounding mode ${JSON.stringify(mode)}; use one of ${ROUNDING_MODES.join(', ')}.`,
      );
  }
}

/** The value's units at another scale, rounding only when digits are dropped. */
export function rescale(value: DecimalValue, scale: number, mode: RoundingMode = 'half-even'): bigint {
  if (scale >= value.scale) return value.units * 10n ** BigInt(scale - value.scale);
  return divideRounded(value.units, 10n ** BigInt(value.scale - scale), mode);
}

/**
 * Renders `units / 10^scale` without exponent notation. With `fractionDigits` (at least `scale`;
 * rescale first to drop digits) the fraction is padded to that many digits; without it, trailing
 * zeros are dropped (the shortest exact form).
 */
export function formatDecimal(value: DecimalValue, fractionDigits?: number): string {
  const negative = value.units < 0n;
  const digits = (negative ? -value.units : value.units).toString().padStart(value.scale + 1, '0');
  const integerPart = digits.slice(0, digits.length - value.scale);
  let fractionPart = digits.slice(digits.length - value.scale);
  if (fractionDigits === undefined) fractionPart = fractionPart.replace(/0+$/, '');
  else fractionPart = fractionPart.padEnd(fractionDigits, '0');
  const sign = negative ? '-' : '';
  return fractionPart === '' ? `${sign}${integerPart}` : `${sign}${integerPart}.${fractionPart}`;
}

/** The canonical form of a decimal string: no exponent, no trailing zeros (`'2.50e-6'` -> `'0.0000025'`). */
export function canonicalDecimal(text: string, what?: string): string {
  return formatDecimal(parseDecimal(text, what));
}

/** Compares two decimals exactly: -1, 0 or 1. */
export function compareDecimals(left: DecimalValue, right: DecimalValue): -1 | 0 | 1 {
  const scale = Math.max(left.scale, right.scale);
  const difference = rescale(left, scale) - rescale(right, scale);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}
