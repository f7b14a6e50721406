/**
 * Formatting of numbers and constant arrays as C source text. Everything here is deterministic (same input,
 * same bytes) and warning-free under -Wall -Wextra -Wconversion: INT32_MIN is spelled as an expression,
 * unsigned words carry a `u` suffix, floats are printed exactly (hexadecimal float literals).
 */

/** An int32 value as a C expression of type int32_t-compatible int. */
export function cInt32(v: number): string {
  if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw new Error(`cInt32: ${v} is not an int32`);
  // -2147483648 is a unary minus applied to a constant that does not fit int: spell it as an expression.
  if (v === -2147483648) return "(-2147483647 - 1)";
  return String(v);
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * A uint32 word as a hexadecimal C literal with a `u` suffix. Packed weights are millions of words, so this
 * uses a byte table rather than toString(16) + padStart (4× faster, same text).
 */
export function cUint32(v: number): string {
  return `0x${HEX_BYTE[(v >>> 24) & 0xff]}${HEX_BYTE[(v >>> 16) & 0xff]}${HEX_BYTE[(v >>> 8) & 0xff]}${HEX_BYTE[v & 0xff]}u`;
}

/** An int64 constant (given exactly as a bigint or safe integer) as a C expression. */
export function cInt64(v: number | bigint): string {
  const b = BigInt(v);
  if (b === -(2n ** 63n)) return "(-9223372036854775807LL - 1)";
  return `${b}LL`;
}

/**
 * A float32 value as an exact C literal: hexadecimal float notation (C99), e.g. 0x1.8p-3f. Infinity and NaN
 * never reach generated code (quantisation scales are finite and positive).
 */
export function cFloat32(v: number): string {
  const f = Math.fround(v);
  if (!Number.isFinite(f)) throw new Error(`cFloat32: ${v} is not finite`);
  if (f === 0) return Object.is(f, -0) ? "-0.0f" : "0.0f";
  const sign = f < 0 ? "-" : "";
  let a = Math.abs(f);
  let e = 0;
  // Normalise to [1, 2): exact, since we only multiply by powers of two.
  while (a >= 2) { a /= 2; e++; }
  while (a < 1) { a *= 2; e--; }
  // 23 fraction bits of a float32 fit in 6 hex digits (24 bits) after the point.
  const frac = Math.round((a - 1) * 2 ** 24);
  const hex = frac.toString(16).padStart(6, "0").replace(/0+$/, "");
  return `${sign}0x1${hex ? `.${hex}` : ""}p${e}f`;
}

/** A double value as an exact C literal (hexadecimal). */
export function cDouble(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`cDouble: ${v} is not finite`);
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const sign = v < 0 ? "-" : "";
  let a = Math.abs(v);
  let e = 0;
  while (a >= 2) { a /= 2; e++; }
  while (a < 1) { a *= 2; e--; }
  // 52 fraction bits: split into two exact 26-bit halves to stay within double precision while printing.
  const f = a - 1;
  const hi = Math.floor(f * 2 ** 26);
  const lo = Math.round((f * 2 ** 26 - hi) * 2 ** 26);
  const bits = (BigInt(hi) << 26n) | BigInt(lo);
  const hex = bits.toString(16).padStart(13, "0").replace(/0+$/, "");
  return `${sign}0x1${hex ? `.${hex}` : ""}p${e}`;
}

/**
 * The body of a C array initialiser: values formatted by `fmt`, `perLine` to a line, each line indented by
 * `indent`. An empty array gets a single 0 (C forbids empty initialisers); callers size such arrays 1.
 */
export function cArrayBody(values: ArrayLike<number>, fmt: (v: number) => string = cInt32, perLine = 16, indent = "  "): string {
  if (values.length === 0) return `${indent}0`;
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += perLine) {
    const parts: string[] = [];
    for (let j = i; j < Math.min(values.length, i + perLine); j++) parts.push(fmt(values[j]!));
    lines.push(indent + parts.join(", "));
  }
  return lines.join(",\n");
}

/** Packs int8 values into little-endian uint32 words (byte j of word i = value 4i + j), zero-padded. */
export function packInt8Words(values: ArrayLike<number>): number[] {
  const words: number[] = [];
  for (let i = 0; i < values.length; i += 4) {
    let w = 0;
    for (let j = 0; j < 4; j++) {
      const v = i + j < values.length ? values[i + j]! : 0;
      w |= (v & 0xff) << (8 * j);
    }
    words.push(w >>> 0);
  }
  return words;
}
