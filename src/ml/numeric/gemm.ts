// C += alpha A B for row-major float32 matrices, in WebAssembly SIMD, in place on a shared
// WebAssembly memory: the dense products of the SPD inverse (EASE's n^3 step). tfjs-wasm's matMul
// ran these at ~19-24 GFLOP/s on one core here, but every call copied C and A into tfjs's heap
// and the result out again (about a dozen passes over C per product), and two threads streaming
// those copies got ~11 GFLOP/s each; this kernel reads C once and writes it once, and ran at
// 28-37 GFLOP/s on each of both cores at once (bench/recommender/README.md, 2026-12-08).
//
// The kernel keeps a tile of 4 rows x 8 columns of the product in eight 4-lane registers while it
// walks the shared dimension: per step two vector loads of B's row, four broadcasts of A's
// entries, 16 multiply-adds of four lanes. Rows past the last multiple of 4 take 1-row tiles,
// columns past the last multiple of 8 a scalar loop.
//
// The matrices live in an Arena: one shared memory holding every array a job needs, which worker
// threads (threads.ts) receive with the job and use in place. Each thread instantiates the module
// on the memory it is handed (instances are cached per memory object).
import { assembleModule, Body, F32, I32, MAX_PAGES, V128 } from './wasm-assembler.ts';
import { f32Load, f32Store, v128Load, v128Store, v128Load32Splat, f32x4Splat, f32x4Add, f32x4Mul, i32GtU, i32GeU, i32Add, i32Mul, i32And, i32Shl, f32Add, f32Mul } from './wasm-opcodes.ts';

/** Rows and 4-lane columns of the register tile. */
const TILE_ROWS = 4;
const TILE_VECTORS = 2;
const TILE_COLS = 4 * TILE_VECTORS;

/**
 * gemm(c, ldc, a, lda, b, ldb, rows, cols, depth, alpha): C (rows x cols) += alpha A B with A
 * rows x depth and B depth x cols; pointers are byte addresses, leading dimensions in elements.
 */
function gemmBody(): Body {
  const b = new Body([
    ['c', I32], ['ldc', I32], ['a', I32], ['lda', I32], ['b', I32], ['ldb', I32],
    ['rows', I32], ['cols', I32], ['depth', I32], ['alpha', F32],
  ]);
  for (const n of ['i', 'j', 'pb', 'aEnd', 'colsVector', 'ldcBytes', 'ldaBytes', 'ldbBytes', 'rowA', 'rowC', 'pc']) b.local(n, I32);
  for (let r = 0; r < TILE_ROWS; r++) b.local(`pa${r}`, I32);
  b.local('sum', F32);
  for (let r = 0; r < TILE_ROWS; r++) for (let v = 0; v < TILE_VECTORS; v++) b.local(`acc${r}${v}`, V128);
  for (let v = 0; v < TILE_VECTORS; v++) b.local(`b${v}`, V128);
  b.local('ai', V128).local('alphas', V128);
  const bytes = (n: string) => b.get(n).i32(2).op(i32Shl);
  bytes('ldc').set('ldcBytes');
  bytes('lda').set('ldaBytes');
  bytes('ldb').set('ldbBytes');
  b.get('cols').i32(-TILE_COLS).op(i32And).set('colsVector');
  b.get('alpha').op(...f32x4Splat).set('alphas');
  b.i32(0).set('i');

  // pa0..pa(rows-1) = A's row i + r at column 0; aEnd = the end of row i
  const rowPointers = (rows: number) => {
    for (let r = 0; r < rows; r++) b.get('rowA').get('ldaBytes').i32(r).op(i32Mul).op(i32Add).set(`pa${r}`);
    b.get('rowA').get('depth').i32(2).op(i32Shl).op(i32Add).set('aEnd');
  };
  const cAddress = (r: number) => b.get('rowC').get('ldcBytes').i32(r).op(i32Mul).op(i32Add).get('j').i32(2).op(i32Shl).op(i32Add);

  /** Every row group of `rows` rows from row i on, while a whole group is left. */
  const rowGroups = (rows: number, label: string) => {
    b.block(`${label}Done`).loop(label);
    b.get('i').i32(rows).op(i32Add).get('rows').op(i32GtU).brIf(`${label}Done`);
    b.get('a').get('i').get('ldaBytes').op(i32Mul).op(i32Add).set('rowA');
    b.get('c').get('i').get('ldcBytes').op(i32Mul).op(i32Add).set('rowC');
    // columns by tiles of TILE_COLS
    b.i32(0).set('j');
    b.block(`${label}VectorsDone`).loop(`${label}Vectors`);
    b.get('j').get('colsVector').op(i32GeU).brIf(`${label}VectorsDone`);
    for (let r = 0; r < rows; r++) for (let v = 0; v < TILE_VECTORS; v++) b.f32(0).op(...f32x4Splat).set(`acc${r}${v}`);
    rowPointers(rows);
    b.get('b').get('j').i32(2).op(i32Shl).op(i32Add).set('pb');
    b.block(`${label}DepthDone`).loop(`${label}Depth`);
    b.get('pa0').get('aEnd').op(i32GeU).brIf(`${label}DepthDone`);
    for (let v = 0; v < TILE_VECTORS; v++) b.get('pb').memory(v128Load, 0, 16 * v).set(`b${v}`);
    for (let r = 0; r < rows; r++) {
      b.get(`pa${r}`).memory(v128Load32Splat, 2).set('ai');
      for (let v = 0; v < TILE_VECTORS; v++) b.get(`acc${r}${v}`).get('ai').get(`b${v}`).op(...f32x4Mul, ...f32x4Add).set(`acc${r}${v}`);
      b.get(`pa${r}`).i32(4).op(i32Add).set(`pa${r}`);
    }
    b.get('pb').get('ldbBytes').op(i32Add).set('pb');
    b.br(`${label}Depth`).end().end();
    for (let r = 0; r < rows; r++) {
      cAddress(r).set('pc');
      for (let v = 0; v < TILE_VECTORS; v++) {
        b.get('pc').get('pc').memory(v128Load, 0, 16 * v).get(`acc${r}${v}`).get('alphas').op(...f32x4Mul, ...f32x4Add).memory(v128Store, 0, 16 * v);
      }
    }
    b.get('j').i32(TILE_COLS).op(i32Add).set('j').br(`${label}Vectors`).end().end();
    // the columns left, one at a time
    b.block(`${label}ScalarsDone`).loop(`${label}Scalars`);
    b.get('j').get('cols').op(i32GeU).brIf(`${label}ScalarsDone`);
    for (let r = 0; r < rows; r++) {
      rowPointers(rows);
      b.f32(0).set('sum');
      b.get('b').get('j').i32(2).op(i32Shl).op(i32Add).set('pb');
      b.block(`${label}Scalar${r}Done`).loop(`${label}Scalar${r}`);
      b.get(`pa${r}`).get('aEnd').get('ldaBytes').i32(r).op(i32Mul).op(i32Add).op(i32GeU).brIf(`${label}Scalar${r}Done`);
      b.get('sum').get(`pa${r}`).memory(f32Load, 2).get('pb').memory(f32Load, 2).op(f32Mul).op(f32Add).set('sum');
      b.get(`pa${r}`).i32(4).op(i32Add).set(`pa${r}`);
      b.get('pb').get('ldbBytes').op(i32Add).set('pb');
      b.br(`${label}Scalar${r}`).end().end();
      cAddress(r).tee('pc').get('pc').memory(f32Load, 2).get('sum').get('alpha').op(f32Mul).op(f32Add).memory(f32Store, 2);
    }
    b.get('j').i32(1).op(i32Add).set('j').br(`${label}Scalars`).end().end();
    b.get('i').i32(rows).op(i32Add).set('i').br(label).end().end();
  };
  rowGroups(TILE_ROWS, 'groups');
  rowGroups(1, 'singles');
  return b;
}

type Gemm = (c: number, ldc: number, a: number, lda: number, b: number, ldb: number, rows: number, cols: number, depth: number, alpha: number) => void;

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<WebAssembly.Memory, Gemm>();

/** Several float32 arrays on one shared WebAssembly memory, each starting on a 16-byte boundary. */
export interface Arena {
  memory: WebAssembly.Memory;
  arrays: Float32Array[];
}

const PAGE = 65_536;

/**
 * An arena holding zero-filled arrays of the given lengths. Throws a RangeError when they need
 * more than 4 GiB (the most a 32-bit WebAssembly memory holds).
 */
export function createArena(lengths: readonly number[]): Arena {
  const starts: number[] = [];
  let bytes = 0;
  for (const length of lengths) {
    starts.push(bytes);
    bytes += Math.ceil((length * 4) / 16) * 16;
  }
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  if (pages > MAX_PAGES) throw new RangeError(`the dense work needs ${(bytes / 2 ** 30).toFixed(1)} GiB in one WebAssembly memory; at most 4 GiB fit`);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  return { memory, arrays: lengths.map((length, i) => new Float32Array(memory.buffer, starts[i], length)) };
}

/**
 * C += alpha A B, with C rows x cols, A rows x depth, B depth x cols, all views of `memory`
 * (row-major, leading dimensions ldc, lda, ldb in elements; A and B must not overlap C).
 */
export function gemm(
  memory: WebAssembly.Memory,
  c: Float32Array, ldc: number,
  a: Float32Array, lda: number,
  b: Float32Array, ldb: number,
  rows: number, cols: number, depth: number,
  alpha = 1,
): void {
  if (rows === 0 || cols === 0 || depth === 0) return;
  let run = instances.get(memory);
  if (!run) {
    compiled ??= new WebAssembly.Module(assembleModule({ gemm: gemmBody() }, { sharedMemory: true }));
    run = new WebAssembly.Instance(compiled, { env: { memory } }).exports.gemm as Gemm;
    instances.set(memory, run);
  }
  run(c.byteOffset, ldc, a.byteOffset, lda, b.byteOffset, ldb, rows, cols, depth, alpha);
}
