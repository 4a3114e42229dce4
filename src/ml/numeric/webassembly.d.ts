// The part of the WebAssembly JavaScript API that als-simd.ts and gemm.ts use: Node 20 has the global, but
// @types/node does not declare it (TypeScript's DOM library does, with everything else of a browser).
declare namespace WebAssembly {
  function validate(bytes: Uint8Array): boolean;
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    /** A shared memory needs a maximum; its buffer is then a SharedArrayBuffer. */
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    grow(pages: number): number;
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, Memory>>);
    readonly exports: Record<string, unknown>;
  }
}
