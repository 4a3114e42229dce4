// EASE (ease.ts) as a recommender family: a customer's scores are the sum of the rows of B of the
// items they bought; an item's similar items are its row of B. Optionally B is learned from a
// recency-weighted matrix (recency.ts), so co-purchases of the last months shape it most; scoring
// stays the plain sum of rows. On
// Online Retail's validation window a 30-60 day half-life gained 6-7% nDCG@10 (bench/quality).
import { EASE_DEFAULTS, easeMemoryBytes, fitEase, type EaseOptions } from '../ease.ts';
import { recencyWeighted } from '../recency.ts';
import type { RecommenderFamily } from '../family.ts';
import { parallelTopLists, type TopShare } from '../parallel-top.ts';
import { rowContains } from '../sparse.ts';
import { setTopRow, topN, type ScoredItem } from '../top-n.ts';
import { defineKernel, threadCount } from '../../numeric/threads.ts';

export interface EaseFamilyOptions extends EaseOptions {
  /** Half-life of the pair weights in days; 0 = none, every pair weighs 1 (Steck's EASE). */
  halfLifeDays: number;
}

export interface EaseModel {
  /** Items x items weight matrix B, row-major, zero diagonal (Steck 2019). */
  weights: Float32Array;
}

export const easeFamily: RecommenderFamily<'ease', EaseFamilyOptions, EaseModel> = {
  algorithm: 'ease',
  defaults: { ...EASE_DEFAULTS, halfLifeDays: 0 },

  fit: ({ history, stats, endTime, onProgress }, { lambda, halfLifeDays }) => {
    return { model: { weights: fitEase(recencyWeighted(history, stats, endTime, halfLifeDays), { lambda }, onProgress) } };
  },

  scorer: ({ weights }, { nItems }) => ({
    scoreItems(itemIdxs, out, members) {
      if (members) {
        for (let m = 0; m < members.length; m++) {
          const i = members[m]!;
          let s = 0;
          for (let j = 0; j < itemIdxs.length; j++) s += weights[itemIdxs[j]! * nItems + i]!;
          out[i] = s;
        }
        return;
      }
      sumRows(weights, nItems, itemIdxs, out);
    },
    similarTo: (i, out) => out.set(weights.subarray(i * nItems, (i + 1) * nItems)),
  }),

  /** Every thread scores a share of the customers when B is on shared memory (as fitEase leaves it). */
  batchTopN({ weights }, users, k, { nItems, history }, onProgress) {
    const threads = weights.buffer instanceof SharedArrayBuffer ? threadCount() : 1;
    const out: ScoredItem[][] = [];
    const chunk = 1024;
    for (let start = 0; start < users.length; start += chunk) {
      const part = users.subarray(start, Math.min(users.length, start + chunk));
      out.push(...parallelTopLists(easeTopN, { weights, nItems }, history, part, k, threads));
      onProgress?.(start + part.length);
    }
    return out;
  },

  encode: ({ weights }) => ({ arrays: { 'ease-weights': weights } }),
  decode(part) {
    const weights = part.float32('ease-weights');
    if (weights.length !== part.items * part.items) part.reject(`ease-weights.f32 holds ${weights.length} weights, expected ${part.items}²`);
    return { weights };
  },

  searchSpace({ items, easeMemoryLimit, spanDays }) {
    const bytes = easeMemoryBytes(items);
    if (bytes > easeMemoryLimit) return { candidates: [], skipped: `${items} items need ~${(bytes / 2 ** 30).toFixed(1)} GiB (limit ${(easeMemoryLimit / 2 ** 30).toFixed(1)} GiB)` };
    const plain = [100, 200, 350, 500, 1000].map((lambda) => ({ lambda }));
    // recency weights only mean something when the data spans several half-lives
    const recent = spanDays >= 180 ? [{ lambda: 200, halfLifeDays: 30 }, { lambda: 200, halfLifeDays: 60 }, { lambda: 500, halfLifeDays: 60 }] : [];
    return { candidates: [...plain, ...recent] };
  },
};

/**
 * Customers users[from, to): each one's scores (the sum of B's rows of their purchases) and top
 * lists.perRow without those purchases, as row j of `lists`.
 */
export const easeTopN = defineKernel(
  import.meta.url,
  'easeTopN',
  (s: { weights: Float32Array; nItems: number } & TopShare) => {
    const { weights, nItems, rowPtr, colIdx, users, lists } = s;
    const scratch = new Float32Array(nItems);
    for (let j = s.from; j < s.to; j++) {
      const u = users[j]!;
      sumRows(weights, nItems, colIdx.subarray(rowPtr[u]!, rowPtr[u + 1]!), scratch);
      setTopRow(lists, j, topN(scratch, lists.perRow, undefined, rowContains(s, u)));
    }
  },
);

/** out = the sum of the rows of B (n x n) listed in `rows` (repeats count again). */
function sumRows(weights: Float32Array, n: number, rows: ArrayLike<number>, out: Float32Array): void {
  out.fill(0);
  for (let j = 0; j < rows.length; j++) addRow(out, weights, rows[j]! * n, n);
}

// unrolled by four: summing B rows is the whole cost of EASE scoring
function addRow(out: Float32Array, matrix: Float32Array, offset: number, n: number): void {
  let j = 0;
  for (; j + 3 < n; j += 4) {
    out[j]! += matrix[offset + j]!;
    out[j + 1]! += matrix[offset + j + 1]!;
    out[j + 2]! += matrix[offset + j + 2]!;
    out[j + 3]! += matrix[offset + j + 3]!;
  }
  for (; j < n; j++) out[j]! += matrix[offset + j]!;
}
