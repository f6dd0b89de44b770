// Exponent notation is accepted because JSON price files (litellm) hold numbers such as 2.5e-6.
export const DECIMAL_PATTERN = /^([+-]?)(?:(\d+)(?:\.(\d+))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;
// Bounds the size of the bigint a hostile string such as "1e999999999" could ask for.
export const MAX_EXPONENT = 1000;

/** True for a string `parseDecimal` (cost/decimal.ts) accepts, e.g. `'0.15'`, `'-3'`, `'2.5e-6'`. */
export function isDecimalString(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = DECIMAL_PATTERN.exec(value);
  return match !== null && Math.abs(Number(match[5] ?? '0')) <= MAX_EXPONENT;
}
