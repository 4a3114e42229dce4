// Recency weights for the pairs of a purchase history: each customer-item pair weighs
// 2^(−age / half-life), its age counted from its last purchase to the end of the data, so the
// co-purchases of the last months shape a model most. EASE and item-kNN learn from such a matrix
// (scoring stays the plain sum over the customer's items); a half-life of 0 keeps every pair at 1.
import { DAY_MS } from '../customers/purchase-log.ts';
import { withValues, type Csr, type PairStats } from './sparse.ts';

export function recencyWeighted(history: Csr, stats: PairStats, endTime: number, halfLifeDays: number): Csr {
  if (!(halfLifeDays > 0)) return history;
  return withValues(history, Float32Array.from(stats.lastTime, (t) => Math.pow(2, -(endTime - t) / (halfLifeDays * DAY_MS))));
}
