import { AiaasError } from '../errors/index.js';
import {
  type DecimalValue,
  divideRounded,
  formatDecimal,
  parseDecimal,
  type RoundingMode,
  rescale,
} from './decimal.js';

/** Money as JSON: the amount as an exact decimal string, never a number. */
export interface MoneyJSON {
  amount: string;
  currency: string;
}

export interface MoneyFormatOptions {
  /** Fraction digits shown, 0 to 12. Default 2. */
  digits?: number;
  /** How dropped digits are rounded. Default `half-even`. */
  rounding?: RoundingMode;
}

const CURRENCY_PATTERN = /^[A-Z]{3}$/;
const SCALE_DIGITS = 12;
const SCALE = 10n ** BigInt(SCALE_DIGITS);

/**
 * An exact amount of one currency: a bigint count of 1e-12 currency units. Prices of a single
 * token are fractions of a cent, so the scale is far below the smallest coin; sums never drift.
 *
 * @example
 * const perToken = Money.of('0.00000015', 'USD');
 * const total = perToken.times(1_000_000n); // 0.15 USD exactly
 * total.format(); // '0.15'
 */
export class Money {
  // A class that refers to itself is renamed by the bundler (`_Money`); its name is part of the API.
  static {
    Object.defineProperty(Money, 'name', { value: 'Money' });
  }

  /** Decimal digits below the currency unit that an amount keeps. */
  static readonly SCALE_DIGITS = SCALE_DIGITS;
  /** Units per one currency unit (10^12). */
  static readonly SCALE = SCALE;

  /** The amount in 1e-12 currency units. */
  readonly units: bigint;
  /** ISO 4217 code, e.g. `USD`. */
  readonly currency: string;

  private constructor(units: bigint, currency: string) {
    this.units = units;
    this.currency = currency;
    Object.freeze(this);
  }

  /**
   * Parses a decimal string exactly. More than 12 fraction digits are refused unless a
   * `rounding` is given, so precision is never dropped silently.
   *
   * @example
   * Money.of('1.23', 'USD');
   * Money.of('0.0000000000004', 'USD', { rounding: 'half-even' }); // 0
   */
  static of(amount: string, currency: string, options: { rounding?: RoundingMode } = {}): Money {
    const value = parseDecimal(amount, 'money amount');
    if (value.scale > SCALE_DIGITS && options.rounding === undefined) {
      throw new AiaasError(
        `Money amount ${JSON.stringify(amount)} has more than ${SCALE_DIGITS} decimal places; pass a rounding mode to round it.`,
        { code: 'invalid_decimal' },
      );
    }
    return new Money(rescale(value, SCALE_DIGITS, options.rounding), checkCurrency(currency));
  }

  /**
   * An amount given in 1e-12 currency units.
   *
   * @example
   * Money.fromUnits(1_500_000n, 'USD').toDecimalString(); // '0.0000015'
   */
  static fromUnits(units: bigint, currency: string): Money {
    if (typeof units !== 'bigint') {
      throw new AiaasError(`Money.fromUnits needs a bigint count of 1e-12 units, got ${typeof units}.`, {
        code: 'invalid_decimal',
      });
    }
    return new Money(units, checkCurrency(currency));
  }

  /** @example Money.zero('EUR').isZero(); // true */
  static zero(currency: string): Money {
    return new Money(0n, checkCurrency(currency));
  }

  /**
   * The price of `quantity` items at `rate` per `per` items, rounded once to the scale.
   *
   * @example
   * // 1234 tokens at 2.50 per million tokens
   * Money.fromRate({ rate: '2.50', quantity: 1234n, per: 1_000_000n, currency: 'USD' }).toDecimalString(); // '0.003085'
   */
  static fromRate(options: {
    rate: string;
    quantity: bigint;
    per?: bigint;
    currency: string;
    rounding?: RoundingMode;
  }): Money {
    const rate = parseDecimal(options.rate, 'rate');
    const per = options.per ?? 1n;
    if (per <= 0n) throw new AiaasError('Money.fromRate needs a positive `per`.');
    const units = divideRounded(
      rate.units * options.quantity * SCALE,
      10n ** BigInt(rate.scale) * per,
      options.rounding,
    );
    return new Money(units, checkCurrency(options.currency));
  }

  /** Sums amounts of one currency; an empty list gives zero. */
  static sum(currency: string, amounts: Iterable<Money>): Money {
    let total = Money.zero(currency);
    for (const amount of amounts) total = total.plus(amount);
    return total;
  }

  /** Reads {@link Money.toJSON}'s output back. */
  static fromJSON(json: unknown): Money {
    const candidate = json as Partial<MoneyJSON> | null;
    if (typeof candidate !== 'object' || candidate === null || typeof candidate.currency !== 'string') {
      throw new AiaasError('Money JSON must be { amount: string, currency: string }.', {
        code: 'invalid_decimal',
      });
    }
    return Money.of(candidate.amount as string, candidate.currency);
  }

  plus(other: Money): Money {
    return new Money(this.units + this.sameCurrency(other, 'add').units, this.currency);
  }

  minus(other: Money): Money {
    return new Money(this.units - this.sameCurrency(other, 'subtract').units, this.currency);
  }

  negate(): Money {
    return new Money(-this.units, this.currency);
  }

  /**
   * Multiplies by an exact rate (a decimal string, or a bigint factor), rounding once back to the scale.
   *
   * @example
   * Money.of('10', 'USD').times('0.075').toDecimalString(); // '0.75'
   */
  times(rate: string | bigint, rounding: RoundingMode = 'half-even'): Money {
    if (typeof rate === 'bigint') return new Money(this.units * rate, this.currency);
    const factor: DecimalValue = parseDecimal(rate, 'rate');
    return new Money(
      divideRounded(this.units * factor.units, 10n ** BigInt(factor.scale), rounding),
      this.currency,
    );
  }

  /** Divides by a positive or negative integer, rounding once. */
  dividedBy(divisor: bigint, rounding: RoundingMode = 'half-even'): Money {
    return new Money(divideRounded(this.units, divisor, rounding), this.currency);
  }

  /** -1, 0 or 1. Throws when the currencies differ: there is no exchange rate here. */
  compare(other: Money): -1 | 0 | 1 {
    const difference = this.units - this.sameCurrency(other, 'compare').units;
    return difference === 0n ? 0 : difference < 0n ? -1 : 1;
  }

  /** Same currency and same amount. */
  equals(other: Money): boolean {
    return this.currency === other.currency && this.units === other.units;
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  isNegative(): boolean {
    return this.units < 0n;
  }

  isPositive(): boolean {
    return this.units > 0n;
  }

  /**
   * Splits the amount by ratios with the largest-remainder method: the parts always sum to
   * exactly this amount, and leftover units go to the parts with the largest remainders.
   *
   * @example
   * Money.fromUnits(10n, 'USD').allocate([1, 1, 1]).map((part) => part.units); // [4n, 3n, 3n]
   */
  allocate(ratios: readonly (bigint | number | string)[]): Money[] {
    const weights = toWeights(ratios);
    const total = weights.reduce((sum, weight) => sum + weight, 0n);
    if (total <= 0n) throw new AiaasError('Money.allocate needs at least one positive ratio.');
    const magnitude = this.units < 0n ? -this.units : this.units;
    const shares = weights.map((weight) => (magnitude * weight) / total);
    const remainders = weights.map((weight, index) => ({ index, remainder: (magnitude * weight) % total }));
    let leftover = magnitude - shares.reduce((sum, share) => sum + share, 0n);
    remainders.sort((left, right) =>
      left.remainder === right.remainder
        ? left.index - right.index
        : left.remainder > right.remainder
          ? -1
          : 1,
    );
    for (const { index } of remainders) {
      if (leftover === 0n) break;
      shares[index] = (shares[index] ?? 0n) + 1n;
      leftover -= 1n;
    }
    const sign = this.units < 0n ? -1n : 1n;
    return shares.map((share) => new Money(sign * share, this.currency));
  }

  /** The exact amount, all significant digits, no trailing zeros: `'0.00000015'`. */
  toDecimalString(): string {
    return formatDecimal({ units: this.units, scale: SCALE_DIGITS });
  }

  /**
   * For display only: rounds to `digits` fraction digits (default 2, half-even).
   *
   * @example
   * Money.of('2.345', 'USD').format(); // '2.34'
   * Money.of('2.345', 'USD').format({ digits: 2, rounding: 'half-up' }); // '2.35'
   */
  format(options: MoneyFormatOptions = {}): string {
    const digits = options.digits ?? 2;
    if (!Number.isInteger(digits) || digits < 0 || digits > SCALE_DIGITS) {
      throw new AiaasError(
        `Money.format digits must be an integer from 0 to ${SCALE_DIGITS}, got ${digits}.`,
      );
    }
    const units = rescale(
      { units: this.units, scale: SCALE_DIGITS },
      digits,
      options.rounding ?? 'half-even',
    );
    return formatDecimal({ units, scale: digits }, digits);
  }

  toJSON(): MoneyJSON {
    return { amount: this.toDecimalString(), currency: this.currency };
  }

  /** `'1.23 USD'` */
  toString(): string {
    return `${this.toDecimalString()} ${this.currency}`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Money(${this.toString()})`;
  }

  private sameCurrency(other: Money, operation: string): Money {
    if (other.currency !== this.currency) {
      throw new AiaasError(
        `Cannot ${operation} ${this.currency} and ${other.currency} amounts: money in different currencies does not mix.`,
        { code: 'currency_mismatch' },
      );
    }
    return other;
  }
}

function checkCurrency(currency: string): string {
  if (typeof currency !== 'string' || !CURRENCY_PATTERN.test(currency)) {
    throw new AiaasError(
      `Invalid currency ${JSON.stringify(currency)}: expected an ISO 4217 code such as 'USD'.`,
      {
        code: 'invalid_currency',
      },
    );
  }
  return currency;
}

/** Ratios as integer weights on one common scale, so decimal ratios such as '0.5' stay exact. */
function toWeights(ratios: readonly (bigint | number | string)[]): bigint[] {
  if (ratios.length === 0) throw new AiaasError('Money.allocate needs at least one ratio.');
  const values = ratios.map((ratio): DecimalValue => {
    if (typeof ratio === 'bigint') return { units: ratio, scale: 0 };
    if (typeof ratio === 'number' && !Number.isFinite(ratio)) {
      throw new AiaasError(`Money.allocate ratios must be finite, got ${ratio}.`);
    }
    // A ratio is a proportion, not an amount; its shortest decimal form is what the caller wrote.
    return parseDecimal(String(ratio), 'ratio');
  });
  const scale = Math.max(...values.map((value) => value.scale));
  return values.map((value) => {
    const weight = rescale(value, scale);
    if (weight < 0n) throw new AiaasError('Money.allocate ratios must not be negative.');
    return weight;
  });
}
