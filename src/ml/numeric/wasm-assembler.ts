// The few pieces of the WebAssembly binary format (https://webassembly.github.io/spec/core/binary/)
// that retain's hand-written kernels need: one module importing its memory and exporting
// functions, bodies written as opcode sequences with named block labels. No text format and no
// toolchain: the kernels are small, and a dependency that compiles text to binary would be larger
// than they are.

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
type ValueType = typeof I32 | typeof F32 | typeof V128;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

/** A function body under construction: locals by name, structured control with named labels. */
export class Body {
  readonly code: number[] = [];
  private readonly locals = new Map<string, number>();
  private readonly declared: ValueType[] = [];
  private readonly labels: string[] = [];

  constructor(readonly params: [string, ValueType][]) {
    params.forEach(([n], i) => this.locals.set(n, i));
  }

  local(n: string, type: ValueType): this {
    this.locals.set(n, this.params.length + this.declared.length);
    this.declared.push(type);
    return this;
  }

  private index(n: string): number {
    const i = this.locals.get(n);
    if (i === undefined) throw new Error(`wasm assembler: no local ${n}`);
    return i;
  }

  private depth(label: string): number {
    const at = this.labels.lastIndexOf(label);
    if (at === -1) throw new Error(`wasm assembler: no label ${label}`);
    return this.labels.length - 1 - at;
  }

  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  get(n: string): this {
    return this.op(0x20, ...uleb(this.index(n)));
  }

  set(n: string): this {
    return this.op(0x21, ...uleb(this.index(n)));
  }

  tee(n: string): this {
    return this.op(0x22, ...uleb(this.index(n)));
  }

  i32(value: number): this {
    return this.op(0x41, ...sleb(value));
  }

  f32(value: number): this {
    return this.op(0x43, ...new Uint8Array(Float32Array.of(value).buffer));
  }

  f64(value: number): this {
    return this.op(0x44, ...new Uint8Array(Float64Array.of(value).buffer));
  }

  /** A load or store opcode (with the 0xfd prefix for SIMD ones) and its alignment (log2 bytes) and offset. */
  memory(opcode: number[], align: number, offset = 0): this {
    return this.op(...opcode, ...uleb(align), ...uleb(offset));
  }

  block(label: string): this {
    this.labels.push(label);
    return this.op(0x02, 0x40);
  }

  loop(label: string): this {
    this.labels.push(label);
    return this.op(0x03, 0x40);
  }

  if(): this {
    this.labels.push('');
    return this.op(0x04, 0x40);
  }

  end(): this {
    this.labels.pop();
    return this.op(0x0b);
  }

  br(label: string): this {
    return this.op(0x0c, ...uleb(this.depth(label)));
  }

  brIf(label: string): this {
    return this.op(0x0d, ...uleb(this.depth(label)));
  }

  encode(): number[] {
    if (this.labels.length > 0) throw new Error(`wasm assembler: unclosed ${this.labels.join(', ')}`);
    const groups: number[][] = [];
    for (let i = 0; i < this.declared.length; ) {
      let j = i;
      while (j < this.declared.length && this.declared[j] === this.declared[i]) j++;
      groups.push([...uleb(j - i), this.declared[i]!]);
      i = j;
    }
    const body = [...vector(groups), ...this.code, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

/** Largest 32-bit memory, in 64 KiB pages (4 GiB). */
export const MAX_PAGES = 65_536;

/**
 * A module that imports its memory as env.memory and exports each body under its name (no
 * results). With `sharedMemory`, the import is a shared memory of any size up to 4 GiB (one that
 * worker threads can use at the same time); else an ordinary memory of at least one page.
 */
export function assembleModule(functions: Record<string, Body>, { sharedMemory = false } = {}): Uint8Array {
  const bodies = Object.values(functions);
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const types = vector(bodies.map((b) => [0x60, ...vector(b.params.map(([, t]) => [t])), 0x00]));
  const limits = sharedMemory ? [0x03, 0x00, ...uleb(MAX_PAGES)] : [0x00, 0x01];
  const imports = vector([[...name('env'), ...name('memory'), 0x02, ...limits]]);
  const declarations = vector(bodies.map((_, i) => uleb(i)));
  const exports = vector(Object.keys(functions).map((n, i) => [...name(n), 0x00, ...uleb(i)]));
  const code = vector(bodies.map((b) => b.encode()));
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, declarations),
    ...section(7, exports),
    ...section(10, code),
  ]);
}
