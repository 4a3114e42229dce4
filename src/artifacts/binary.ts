// Raw little-endian number arrays for artifact files, independent of the host's byte order.
import { endianness } from 'node:os';

const LITTLE = endianness() === 'LE';

export function float32ToBytes(values: Float32Array): Uint8Array {
  if (LITTLE) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const view = new DataView(new ArrayBuffer(values.length * 4));
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return new Uint8Array(view.buffer);
}

export function int32ToBytes(values: Int32Array): Uint8Array {
  if (LITTLE) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const view = new DataView(new ArrayBuffer(values.length * 4));
  for (let i = 0; i < values.length; i++) view.setInt32(i * 4, values[i]!, true);
  return new Uint8Array(view.buffer);
}

/** Copies into a fresh, aligned array (file buffers need not be 4-byte aligned). */
export function bytesToFloat32(bytes: Uint8Array): Float32Array {
  checkLength(bytes, 'Float32');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  if (LITTLE) new Uint8Array(out.buffer).set(bytes);
  else for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export function bytesToInt32(bytes: Uint8Array): Int32Array {
  checkLength(bytes, 'Int32');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(bytes.byteLength / 4);
  if (LITTLE) new Uint8Array(out.buffer).set(bytes);
  else for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

function checkLength(bytes: Uint8Array, type: string): void {
  if (bytes.byteLength % 4 !== 0) throw new RangeError(`${bytes.byteLength} bytes is not a whole number of ${type} values`);
}
