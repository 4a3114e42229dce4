// Compressed sparse rows: the customer x item matrix and its transpose, as typed arrays.
import type { PurchaseLog } from '../customers/purchase-log.ts';

export interface Csr {
  readonly rows: number;
  readonly cols: number;
  /** Row r's entries are at [rowPtr[r], rowPtr[r + 1]). */
  readonly rowPtr: Int32Array;
  /** Column indices, ascending within a row. */
  readonly colIdx: Int32Array;
  readonly values: Float32Array;
}

/** Per customer-item pair: how many order lines, total quantity, and the latest time (ms). */
export interface PairStats {
  matrix: Csr;
  lines: Float32Array;
  quantity: Float32Array;
  lastTime: Float64Array;
}

/** Aggregates the log's lines into one entry per customer-item pair (values = number of lines). */
export function pairStats(log: PurchaseLog, rows = log.customerIds.length, cols = log.itemIds.length): PairStats {
  const n = log.customer.length;
  const start = new Int32Array(rows + 1);
  for (let i = 0; i < n; i++) start[log.customer[i]! + 1]!++;
  for (let r = 0; r < rows; r++) start[r + 1]! += start[r]!;
  const byCustomer = new Int32Array(n);
  const fill = start.slice(0, rows);
  for (let i = 0; i < n; i++) byCustomer[fill[log.customer[i]!]!++] = i;
  const item = log.item;
  const rowPtr = new Int32Array(rows + 1);
  const colIdx = new Int32Array(n);
  const lines = new Float32Array(n);
  const quantity = new Float32Array(n);
  const lastTime = new Float64Array(n);
  let nnz = 0;
  for (let r = 0; r < rows; r++) {
    // a customer's lines sorted by item put repeats of a pair next to each other
    const segment = byCustomer.subarray(start[r]!, start[r + 1]!).sort((a, b) => item[a]! - item[b]!);
    let previous = -1;
    for (let j = 0; j < segment.length; j++) {
      const line = segment[j]!;
      const c = item[line]!;
      if (c !== previous) {
        colIdx[nnz] = c;
        lastTime[nnz] = -Infinity;
        nnz++;
        previous = c;
      }
      lines[nnz - 1]! += 1;
      quantity[nnz - 1]! += log.quantity[line]!;
      if (log.time[line]! > lastTime[nnz - 1]!) lastTime[nnz - 1] = log.time[line]!;
    }
    rowPtr[r + 1] = nnz;
  }
  const counts = lines.slice(0, nnz);
  const matrix: Csr = { rows, cols, rowPtr, colIdx: colIdx.slice(0, nnz), values: counts };
  return { matrix, lines: counts, quantity: quantity.slice(0, nnz), lastTime: lastTime.slice(0, nnz) };
}

/** The same matrix with new values (same sparsity pattern). */
export function withValues(m: Csr, values: Float32Array): Csr {
  return { ...m, values };
}

export function transpose(m: Csr): Csr {
  const nnz = m.colIdx.length;
  const rowPtr = new Int32Array(m.cols + 1);
  for (let k = 0; k < nnz; k++) rowPtr[m.colIdx[k]! + 1]!++;
  for (let c = 0; c < m.cols; c++) rowPtr[c + 1]! += rowPtr[c]!;
  const fill = rowPtr.slice(0, m.cols);
  const colIdx = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.rowPtr[r]!; k < m.rowPtr[r + 1]!; k++) {
      const at = fill[m.colIdx[k]!]!++;
      colIdx[at] = r;
      values[at] = m.values[k]!;
    }
  }
  return { rows: m.cols, cols: m.rows, rowPtr, colIdx, values };
}

/** Builds a binary matrix from (row, col) pairs; duplicates collapse to one entry. */
export function csrFromPairs(rows: number, cols: number, rowOf: Int32Array, colOf: Int32Array): Csr {
  const sets: Set<number>[] = Array.from({ length: rows }, () => new Set<number>());
  for (let i = 0; i < rowOf.length; i++) sets[rowOf[i]!]!.add(colOf[i]!);
  const rowPtr = new Int32Array(rows + 1);
  for (let r = 0; r < rows; r++) rowPtr[r + 1] = rowPtr[r]! + sets[r]!.size;
  const colIdx = new Int32Array(rowPtr[rows]!);
  for (let r = 0; r < rows; r++) colIdx.set([...sets[r]!].sort((a, b) => a - b), rowPtr[r]!);
  return { rows, cols, rowPtr, colIdx, values: new Float32Array(colIdx.length).fill(1) };
}

/** Whether row `row` of `m` holds column `col` (binary search of the row's sorted columns). */
export function rowContains(m: Pick<Csr, 'rowPtr' | 'colIdx'>, row: number): (col: number) => boolean {
  const from = m.rowPtr[row]!;
  const to = m.rowPtr[row + 1]!;
  return (col) => {
    let lo = from;
    let hi = to - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = m.colIdx[mid]!;
      if (v === col) return true;
      if (v < col) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  };
}

/**
 * The distinct items reached from one item through its buyers (item-item fits), in the order first
 * reached, so a fit visits those instead of the whole catalog.
 */
export class CoItems {
  private readonly list: Int32Array;
  private readonly seen: Uint8Array;
  private count = 0;

  constructor(items: number) {
    this.list = new Int32Array(items);
    this.seen = new Uint8Array(items);
  }

  add(item: number): void {
    if (this.seen[item]) return;
    this.seen[item] = 1;
    this.list[this.count++] = item;
  }

  items(): Int32Array {
    return this.list.subarray(0, this.count);
  }

  clear(): void {
    for (let k = 0; k < this.count; k++) this.seen[this.list[k]!] = 0;
    this.count = 0;
  }
}
