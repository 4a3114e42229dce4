// The WebAssembly opcodes retain's hand-written kernels use (https://webassembly.github.io/spec/core/binary/instructions.html),
// by their text-format names. Loads and stores are arrays for Body.memory; SIMD instructions carry
// the 0xfd prefix and a LEB128 index.

const SIMD = 0xfd;

export const i32Load = [0x28];
export const f32Load = [0x2a];
export const f64Load = [0x2b];
export const f32Store = [0x38];
export const v128Load = [SIMD, 0x00];
export const v128Load32Splat = [SIMD, 0x09];
export const v128Store = [SIMD, 0x0b];

export const f32x4Splat = [SIMD, 0x13];
export const f32x4ExtractLane = [SIMD, 0x1f];
export const f32x4Add = [SIMD, 0xe4, 0x01];
export const f32x4Mul = [SIMD, 0xe6, 0x01];

export const i32Eqz = 0x45;
export const i32LtU = 0x49;
export const i32GtU = 0x4b;
export const i32GeU = 0x4f;
export const f64Gt = 0x64;
export const i32Add = 0x6a;
export const i32Mul = 0x6c;
export const i32And = 0x71;
export const i32Shl = 0x74;
export const f32Add = 0x92;
export const f32Sub = 0x93;
export const f32Mul = 0x94;
