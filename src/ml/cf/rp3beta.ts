// RP3beta (Paudel, Christoffel, Newell & Bernstein 2016, "Updatable, Accurate, Diverse, and
// Scalable Recommendations for Interactive Applications"): a three-step random walk item -> buyer ->
// item on the bipartite purchase graph, with each step's transition probability raised to alpha and
// the destination's popularity penalised by beta. With X the binary customer x item matrix,
// |U_i| the buyers of item i and |I_u| the items of customer u:
//   W_ij = (1 / |U_i|)^alpha * sum_{u in U_i and U_j} (1 / |I_u|)^alpha / |U_j|^beta   (i != j),
// each row keeping its top neighbours. A customer's score for j is sum_{i in I_u} W_ij, like item-kNN.
import { topN } from './top-n.ts';
import { CoItems, transpose, type Csr } from './sparse.ts';

export interface Rp3betaOptions {
  /** Exponent on the walk's transition probabilities (1 = plain random walk). */
  alpha: number;
  /** Popularity penalty on the destination item (0 = P^3 without penalty). */
  beta: number;
  /** Neighbours kept per item. */
  neighbours: number;
}

export const RP3BETA_DEFAULTS: Rp3betaOptions = { alpha: 1, beta: 0.5, neighbours: 100 };

/** Row i = item i's top neighbours j with W_ij (i itself excluded), columns ascending. */
export function fitRp3beta(x: Csr, options: Partial<Rp3betaOptions> = {}): Csr {
  const { alpha, beta, neighbours } = { ...RP3BETA_DEFAULTS, ...options } satisfies Rp3betaOptions;
  const byItem = transpose(x);
  const n = x.cols;
  // (1 / |I_u|)^alpha per customer, and the per-item factors of the walk's first and last step
  const customerStep = new Float64Array(x.rows);
  for (let u = 0; u < x.rows; u++) {
    const size = x.rowPtr[u + 1]! - x.rowPtr[u]!;
    customerStep[u] = size > 0 ? Math.pow(size, -alpha) : 0;
  }
  const firstStep = new Float64Array(n);
  const penalty = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const buyers = byItem.rowPtr[i + 1]! - byItem.rowPtr[i]!;
    firstStep[i] = buyers > 0 ? Math.pow(buyers, -alpha) : 0;
    penalty[i] = buyers > 0 ? Math.pow(buyers, -beta) : 0;
  }
  const walk = new Float64Array(n);
  const row = new Float32Array(n).fill(-Infinity);
  const reached = new CoItems(n);
  const rowPtr = new Int32Array(n + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    reached.clear();
    for (let a = byItem.rowPtr[i]!; a < byItem.rowPtr[i + 1]!; a++) {
      const u = byItem.colIdx[a]!;
      const step = customerStep[u]!;
      for (let b = x.rowPtr[u]!; b < x.rowPtr[u + 1]!; b++) {
        const j = x.colIdx[b]!;
        reached.add(j);
        walk[j]! += step;
      }
    }
    const among = reached.items();
    for (const j of among) if (walk[j]! > 0 && j !== i) row[j] = firstStep[i]! * walk[j]! * penalty[j]!;
    const best = topN(row, neighbours, undefined, undefined, among).sort((p, q) => p.item - q.item);
    for (const j of among) {
      walk[j] = 0;
      row[j] = -Infinity;
    }
    for (const { item, score } of best) {
      colIdx.push(item);
      values.push(score);
    }
    rowPtr[i + 1] = colIdx.length;
  }
  return { rows: n, cols: n, rowPtr, colIdx: Int32Array.from(colIdx), values: Float32Array.from(values) };
}
