// The sparse part of iALS's conjugate gradient in WebAssembly SIMD: for each entry (u, i, c) of a
// batch's rows, d = y_i . v_u and out_u += w y_i, with w = 1 + c - c d (the residual's first pass)
// or c d (the product A p). Four float32 lanes at a time: plain JavaScript loops run this at
// ~0.2-0.4 G multiply-adds/s here (scalar, bounds-checked), which made these passes ~80% of a fit.
//
// Each thread has its own instance and memory (kernels run on every thread of numeric/threads.ts);
// a batch's rows, the other side's factors and the vectors are copied in, which costs little
// next to the passes over them (several per batch). The memory grows to the largest batch and
// stays for the thread's life.
import { assembleModule, Body, F32, I32, V128 } from '../numeric/wasm-assembler.ts';
import { i32Load, f32Load, f64Load, v128Load, v128Store, f32x4Splat, f32x4ExtractLane, f32x4Add, f32x4Mul, i32Eqz, i32LtU, i32GeU, f64Gt, i32Add, i32Mul, i32Shl, f32Add, f32Sub, f32Mul } from '../numeric/wasm-opcodes.ts';
import type { Csr } from './sparse.ts';

/**
 * The pass over the entries of a batch's rows, by rows of the batch (`byRow`: row u's entries
 * name the other side's rows i) or by rows of the other side (row i's entries name the batch's
 * rows u): (outer, rowPtr, colIdx, values, other, v, out, rs, k, first). Pointers are byte
 * addresses, rowPtr holds outer + 1 entry indices from 0, rs is float64 (the batch's rows with
 * rs <= 1e-20 are skipped), k a multiple of 4. Either way each out_u adds its entries in the
 * order of i, so both give the same sums.
 */
function correctionBody(byRow: boolean): Body {
  const b = new Body([
    ['outer', I32], ['rowPtr', I32], ['colIdx', I32], ['values', I32], ['other', I32],
    ['v', I32], ['out', I32], ['rs', I32], ['k', I32], ['first', I32],
  ]);
  for (const n of ['o', 'u', 'e', 'end', 'base', 'off', 'q', 'kb']) b.local(n, I32);
  for (const n of ['c', 'd', 'w']) b.local(n, F32);
  for (const n of ['acc', 'ws']) b.local(n, V128);
  const address = (pointer: string, offset: string) => b.get(pointer).get(offset).op(i32Add).get('q').op(i32Add);
  const next = (counter: string, step: number) => b.get(counter).i32(step).op(i32Add);
  // row u of the batch: base = its byte offset in v and out; on to `label` when its rs says converged
  const batchRow = (label: string) => {
    b.get('u').get('kb').op(i32Mul).set('base');
    b.get('rs').get('u').i32(3).op(i32Shl).op(i32Add).memory(f64Load, 3).f64(1e-20).op(f64Gt, i32Eqz).brIf(label);
  };
  b.get('k').i32(2).op(i32Shl).set('kb');
  b.block('done').loop('rows');
  b.get('o').get('outer').op(i32GeU).brIf('done');
  b.block('next');
  if (byRow) {
    b.get('o').set('u');
    batchRow('next');
  } else {
    b.get('o').get('kb').op(i32Mul).set('off');
  }
  b.get('rowPtr').get('o').i32(2).op(i32Shl).op(i32Add).tee('q').memory(i32Load, 2).set('e');
  b.get('q').memory(i32Load, 2, 4).set('end');
  b.block('entriesDone').loop('entries');
  b.get('e').get('end').op(i32GeU).brIf('entriesDone');
  b.block('entry');
  b.get('colIdx').get('e').i32(2).op(i32Shl).op(i32Add).memory(i32Load, 2);
  if (byRow) {
    b.get('kb').op(i32Mul).set('off');
  } else {
    b.set('u');
    batchRow('entry');
  }
  b.get('values').get('e').i32(2).op(i32Shl).op(i32Add).memory(f32Load, 2).set('c');
  // acc = sum over lanes of y_i * v_u
  b.f32(0).op(...f32x4Splat).set('acc').i32(0).set('q');
  b.loop('dot').get('acc');
  address('other', 'off').memory(v128Load, 4);
  address('v', 'base').memory(v128Load, 4);
  b.op(...f32x4Mul, ...f32x4Add).set('acc');
  next('q', 16).tee('q').get('kb').op(i32LtU).brIf('dot').end();
  b.get('acc').op(...f32x4ExtractLane, 0).get('acc').op(...f32x4ExtractLane, 1).op(f32Add);
  b.get('acc').op(...f32x4ExtractLane, 2).op(f32Add).get('acc').op(...f32x4ExtractLane, 3).op(f32Add).set('d');
  b.get('c').get('d').op(f32Mul).set('w');
  b.get('first').if().f32(1).get('c').op(f32Add).get('w').op(f32Sub).set('w').end();
  // out_u += w y_i
  b.get('w').op(...f32x4Splat).set('ws').i32(0).set('q');
  b.loop('axpy');
  address('out', 'base');
  address('out', 'base').memory(v128Load, 4);
  b.get('ws');
  address('other', 'off').memory(v128Load, 4);
  b.op(...f32x4Mul, ...f32x4Add).memory(v128Store, 4);
  next('q', 16).tee('q').get('kb').op(i32LtU).brIf('axpy').end();
  b.end(); // entry
  next('e', 1).set('e').br('entries');
  b.end().end(); // entries, entriesDone
  b.end(); // next
  next('o', 1).set('o').br('rows');
  b.end().end(); // rows, done
  return b;
}

const moduleBytes = assembleModule({ byRow: correctionBody(true), byOther: correctionBody(false) });
let compiled: WebAssembly.Module | undefined;

/** One CG batch's vectors and its sparse pass (here: views of the instance's memory, valid until the next `batch` call). */
export interface CgBatch {
  x: Float32Array;
  r: Float32Array;
  p: Float32Array;
  ap: Float32Array;
  rs: Float64Array;
  /** The sparse pass over v (x or p) into out (r or ap). */
  correction(v: Float32Array, out: Float32Array, first: boolean): void;
}

const PAGE = 65_536;
const MAX_BYTES = 2 ** 31;

type Pass = (...args: number[]) => void;

/** This thread's instance: memory grown on demand, reused batch after batch. */
class SimdWorkspace {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly byRow: Pass;
  private readonly byOther: Pass;

  constructor() {
    compiled ??= new WebAssembly.Module(moduleBytes);
    const { exports } = new WebAssembly.Instance(compiled, { env: { memory: this.memory } });
    this.byRow = exports.byRow as Pass;
    this.byOther = exports.byOther as Pass;
  }

  /**
   * Copies rows [from, to) of m and the other side's factors in; undefined when k is not a multiple
   * of 4 or the batch does not fit (past 2 GiB, or the memory cannot grow): the caller's plain
   * loops take it then.
   * Given m's transpose `mt`, the passes go by the other side's rows: its entries of this batch's
   * rows are gathered, row by row of mt.
   */
  batch(m: Csr, other: Float32Array, from: number, to: number, k: number, mt?: Csr): CgBatch | undefined {
    if (k % 4 !== 0) return undefined;
    const rows = to - from;
    const outer = mt ? mt.rows : rows;
    const entries = m.rowPtr[to]! - m.rowPtr[from]!;
    // float64 rs first (8-byte aligned), then 4-byte arrays, each start a multiple of 16 bytes
    const sizes = [rows * 8, (outer + 1) * 4, entries * 4, entries * 4, other.length * 4, ...Array(4).fill(rows * k * 4)] as number[];
    const starts: number[] = [];
    let total = 0;
    for (const size of sizes) {
      starts.push(total);
      total += Math.ceil(size / 16) * 16;
    }
    if (total > MAX_BYTES) return undefined;
    const pages = Math.ceil(total / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) {
      try {
        this.memory.grow(pages);
      } catch {
        return undefined;
      }
    }
    const buffer = this.memory.buffer;
    const [rsAt, rowPtrAt, colIdxAt, valuesAt, otherAt, xAt, rAt, pAt, apAt] = starts as [number, number, number, number, number, number, number, number, number];
    const rowPtr = new Int32Array(buffer, rowPtrAt, outer + 1);
    const colIdx = new Int32Array(buffer, colIdxAt, entries);
    const values = new Float32Array(buffer, valuesAt, entries);
    if (mt) {
      gatherColumns(mt, from, to, rowPtr, colIdx, values);
    } else {
      const first = m.rowPtr[from]!;
      for (let u = 0; u <= rows; u++) rowPtr[u] = m.rowPtr[from + u]! - first;
      colIdx.set(m.colIdx.subarray(first, first + entries));
      values.set(m.values.subarray(first, first + entries));
    }
    new Float32Array(buffer, otherAt, other.length).set(other);
    const view = (at: number) => new Float32Array(buffer, at, rows * k);
    const pass = mt ? this.byOther : this.byRow;
    return {
      x: view(xAt),
      r: view(rAt),
      p: view(pAt),
      ap: view(apAt),
      rs: new Float64Array(buffer, rsAt, rows),
      correction(v, out, first) {
        pass(outer, rowPtrAt, colIdxAt, valuesAt, otherAt, v.byteOffset, out.byteOffset, rsAt, k, first ? 1 : 0);
      },
    };
  }
}

/** The entries of columns [from, to) of mt, row by row, columns counted from `from`. */
function gatherColumns(mt: Csr, from: number, to: number, rowPtr: Int32Array, colIdx: Int32Array, values: Float32Array): void {
  let n = 0;
  for (let i = 0; i < mt.rows; i++) {
    rowPtr[i] = n;
    const end = mt.rowPtr[i + 1]!;
    let e = mt.rowPtr[i]!;
    while (e < end && mt.colIdx[e]! < from) e++;
    for (; e < end && mt.colIdx[e]! < to; e++, n++) {
      colIdx[n] = mt.colIdx[e]! - from;
      values[n] = mt.values[e]!;
    }
  }
  rowPtr[mt.rows] = n;
}

let workspace: SimdWorkspace | undefined | null;

/**
 * This thread's workspace (created on first use; every worker thread has its own), or undefined
 * where the engine has no WebAssembly SIMD (then the plain loops do all the work).
 */
export function simdWorkspace(): SimdWorkspace | undefined {
  if (workspace === undefined) workspace = WebAssembly.validate(moduleBytes) ? new SimdWorkspace() : null;
  return workspace ?? undefined;
}
