/**
 * Small typed wrappers over the `flatbuffers` Builder for the vector and table kinds the .tflite writer
 * emits. A FlatBuffer is built back to front, so vector elements are pushed last-first.
 */
import type { Builder, Offset } from "flatbuffers";

/** A vector of int32 values ([int] in the schema). */
export function int32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]!);
  return b.endVector();
}

/** A vector of float32 values ([float]). */
export function float32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]!);
  return b.endVector();
}

/** A vector of int64 values ([long]); the values must be safe integers. */
export function int64Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]!));
  return b.endVector();
}

/** A vector of offsets to tables ([Table]); the tables must already be finished. */
export function offsetVector(b: Builder, offsets: readonly Offset[]): Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
  return b.endVector();
}

/**
 * A [ubyte] vector whose first data byte is aligned to `alignment` bytes from the start of the finished
 * buffer (Buffer.data is `force_align: 16` in the schema; TFLM maps weights in place and expects it).
 * Alignment holds in the final file because `finish` pads the whole buffer to the largest alignment used.
 */
export function alignedByteVector(b: Builder, data: Uint8Array, alignment: number): Offset {
  b.startVector(1, data.length, alignment);
  // Reserve the bytes (pad writes zeros backwards), then copy the data into the reserved space in one go.
  b.pad(data.length);
  const bb = b.dataBuffer();
  bb.bytes().set(data, bb.capacity() - b.offset());
  return b.endVector();
}
