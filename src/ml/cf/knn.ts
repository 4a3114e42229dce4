// Item-based k-nearest neighbours (Sarwar et al. 2001; Deshpande & Karypis 2004): cosine similarity
// between items' buyer vectors, sim(i, j) = Σ_u x_ui x_uj / sqrt(Σ_u x_ui² Σ_u x_uj²), keeping each
// item's top neighbours; on a binary matrix that is |U_i & U_j| / sqrt(|U_i| |U_j|), on a
// recency-weighted one (recency.ts) recent co-purchases count most. A customer's score for j is the sum of sim(i, j) over items i they bought
// (j among i's neighbours). The same lists serve "similar items".
import { topN } from './top-n.ts';
import { CoItems, transpose, type Csr } from './sparse.ts';

export interface KnnOptions {
  /** Neighbours kept per item. */
  neighbours: number;
}

export const KNN_DEFAULTS: KnnOptions = { neighbours: 20 };

/** Row i = item i's top neighbours with their cosine similarity over `x`'s values (i itself excluded). */
export function fitItemKnn(x: Csr, options: Partial<KnnOptions> = {}): Csr {
  const { neighbours } = { ...KNN_DEFAULTS, ...options } satisfies KnnOptions;
  const byItem = transpose(x);
  const n = x.cols;
  const norm = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let a = byItem.rowPtr[i]!; a < byItem.rowPtr[i + 1]!; a++) norm[i]! += byItem.values[a]! * byItem.values[a]!;
  const overlap = new Float64Array(n);
  const sims = new Float32Array(n).fill(-Infinity);
  const reached = new CoItems(n);
  const rowPtr = new Int32Array(n + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    reached.clear();
    for (let a = byItem.rowPtr[i]!; a < byItem.rowPtr[i + 1]!; a++) {
      const u = byItem.colIdx[a]!;
      const weight = byItem.values[a]!;
      for (let b = x.rowPtr[u]!; b < x.rowPtr[u + 1]!; b++) {
        const j = x.colIdx[b]!;
        reached.add(j);
        overlap[j]! += weight * x.values[b]!;
      }
    }
    const among = reached.items();
    for (const j of among) if (overlap[j]! > 0 && j !== i) sims[j] = overlap[j]! / Math.sqrt(norm[i]! * norm[j]!);
    const best = topN(sims, neighbours, undefined, undefined, among).sort((p, q) => p.item - q.item);
    for (const j of among) {
      overlap[j] = 0;
      sims[j] = -Infinity;
    }
    for (const { item, score } of best) {
      colIdx.push(item);
      values.push(score);
    }
    rowPtr[i + 1] = colIdx.length;
  }
  return { rows: n, cols: n, rowPtr, colIdx: Int32Array.from(colIdx), values: Float32Array.from(values) };
}
