const float64View = new DataView(new ArrayBuffer(8));

/** Rounds to the nearest integer, ties to even (IEEE 754's default rounding). */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The IEEE 754 half-precision bits of a number, rounded to nearest-even straight from the
 * double (no detour through float32, which would round twice). Node 20 has no
 * `Float16Array`, so onnxruntime takes FP16 tensors as `Uint16Array` bits.
 *
 * @example
 * float16BitsOf(1); // 0x3c00
 * float16BitsOf(65520); // 0x7c00 (rounds up to infinity)
 */
export function float16BitsOf(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  float64View.setFloat64(0, value);
  const sign = (float64View.getUint8(0) & 0x80) << 8;
  const magnitude = Math.abs(value);
  if (magnitude === Number.POSITIVE_INFINITY) return sign | 0x7c00;
  // Below 2^-14 half floats are subnormal: multiples of 2^-24 (rounding may reach the smallest normal, 0x0400).
  if (magnitude < 2 ** -14) return sign | roundHalfEven(magnitude * 2 ** 24);
  const exponent = ((float64View.getUint16(0) >>> 4) & 0x7ff) - 1023;
  if (exponent > 15) return sign | 0x7c00;
  // 1024..2048: a carry to 2048 rolls correctly into the next exponent (or into infinity).
  const significand = roundHalfEven(magnitude * 2 ** (10 - exponent));
  return sign | Math.min(((exponent + 15) << 10) + (significand - 1024), 0x7c00);
}

/**
 * The number that half-precision bits stand for.
 *
 * @example
 * float16Value(0x3c00); // 1
 */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}
