// EASE, "Embarrassingly Shallow Autoencoders for Sparse Data" (Steck 2019): a closed-form
// item x item model. With X the binary customer x item matrix and lambda the L2 penalty,
// P = (X^T X + lambda I)^-1 and B_ij = -P_ij / P_jj (B_jj = 0), eq. 8 of the paper; a customer's
// scores are x_u B, the sum of the rows of B of the items they bought.
import { spdInverseInPlace, sparseGram } from '../numeric/linalg.ts';
import type { Csr } from './sparse.ts';

export interface EaseOptions {
  /** lambda: larger values shrink item-item weights (REFERENCE.md best on Online Retail: 500). */
  lambda: number;
}

export const EASE_DEFAULTS: EaseOptions = { lambda: 500 };

/** Bytes EASE needs for n items (Gram/inverse and B share one n x n Float32 buffer, plus panels). */
export function easeMemoryBytes(items: number): number {
  return items * items * 4 * 1.5;
}

/** Fits B for the customer x item matrix `x` (values taken as given; pass a binary matrix). */
export function fitEase(x: Csr, options: Partial<EaseOptions> = {}, onBlock?: (done: number, total: number) => void): Float32Array {
  const { lambda } = { ...EASE_DEFAULTS, ...options } satisfies EaseOptions;
  const n = x.cols;
  const p = sparseGram(x);
  for (let i = 0; i < n; i++) p[i * n + i]! += lambda;
  spdInverseInPlace(p, n, 256, onBlock);
  // B = I - P diag(1/diag(P)): column j scaled by -1/P_jj, diagonal zero
  const inverseDiagonal = new Float32Array(n);
  for (let j = 0; j < n; j++) inverseDiagonal[j] = -1 / p[j * n + j]!;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) p[row + j]! *= inverseDiagonal[j]!;
    p[row + i] = 0;
  }
  return p;
}
