// Implicit ALS (als.ts) as a recommender family: customers are scored by their embedding, fresh
// purchase lists by folding in one k x k solve, similar items by cosine between item embeddings;
// the catalog-wide products run in tfjs. Selection draws iALS settings at random (the expensive
// family) from the ranges of Rendle et al. 2021.
import { ALS_DEFAULTS, fitAls, foldInCustomer, preferenceStrength, type AlsModel, type AlsOptions, type Weighting } from '../als.ts';
import { rowContains, withValues } from '../sparse.ts';
import { topN, type ScoredItem } from '../top-n.ts';
import type { PartReader, RecommenderFamily } from '../family.ts';
import { createRowScorer, matMul, transposed } from '../../numeric/linalg.ts';
import { createRng } from '../../numeric/rng.ts';

/** The weightings, in the order selection draws from (the first is the reference one). */
const WEIGHTINGS: readonly Weighting[] = ['log', 'binary', 'counts', 'recency'];

export const alsFamily: RecommenderFamily<'als', AlsOptions, AlsModel> = {
  algorithm: 'als',
  defaults: ALS_DEFAULTS,

  fit({ stats, endTime, onProgress }, options) {
    const strengths = withValues(stats.matrix, preferenceStrength(stats, options.weighting, { halfLifeDays: options.halfLifeDays, endTime }));
    const { factors, userFactors, itemFactors, foldIn } = fitAls(strengths, options, onProgress);
    return { model: { factors, userFactors, itemFactors, foldIn } };
  },

  scorer({ factors: k, userFactors, itemFactors, foldIn }) {
    const items = createRowScorer(itemFactors, k);
    const unitFactors = unitRows(itemFactors, k);
    const similarity = createRowScorer(unitFactors, k);
    return {
      scoreItems: (itemIdxs, out, members) => items.score(foldInCustomer(itemFactors, foldIn, itemIdxs), out, members),
      scoreCustomer: (u, out, members) => items.score(userFactors.subarray(u * k, (u + 1) * k), out, members),
      similarTo: (i, out, members) => similarity.score(unitFactors.subarray(i * k, (i + 1) * k), out, members),
      dispose() {
        items.dispose();
        similarity.dispose();
      },
    };
  },

  /** 1,024 customers per tfjs matrix product. */
  batchTopN({ factors: f, userFactors, itemFactors }, users, k, { history }, onProgress) {
    const nItems = itemFactors.length / f;
    const itemsByFactor = transposed(itemFactors, nItems, f);
    const out: ScoredItem[][] = [];
    const chunk = 1024;
    for (let start = 0; start < users.length; start += chunk) {
      const rows = Math.min(chunk, users.length - start);
      const vectors = new Float32Array(rows * f);
      for (let j = 0; j < rows; j++) vectors.set(userFactors.subarray(users[start + j]! * f, (users[start + j]! + 1) * f), j * f);
      const scores = matMul(vectors, [rows, f], itemsByFactor, [f, nItems]);
      for (let j = 0; j < rows; j++) out.push(topN(scores.subarray(j * nItems, (j + 1) * nItems), k, undefined, rowContains(history, users[start + j]!)));
      onProgress?.(start + rows);
    }
    return out;
  },

  encode: ({ factors, userFactors, itemFactors, foldIn }) => ({
    settings: { factors, alpha: foldIn.alpha, weighting: foldIn.weighting },
    arrays: { 'user-factors': userFactors, 'item-factors': itemFactors, 'fold-in-gram': foldIn.gram },
  }),

  decode(part) {
    const { factors: k, alpha, weighting } = alsSettings(part);
    const userFactors = part.float32('user-factors');
    const itemFactors = part.float32('item-factors');
    const gram = part.float32('fold-in-gram');
    if (userFactors.length !== part.customers * k || itemFactors.length !== part.items * k || gram.length !== k * k) {
      part.reject(`als factor files do not match ${part.customers} customers x ${part.items} items x ${k} factors`);
    }
    return { factors: k, userFactors, itemFactors, foldIn: { factors: k, gram, alpha, weighting } };
  },

  searchSpace({ alsBudget, alsIterations, seed }) {
    // seeded draws, log-uniform penalty and confidence
    const rng = createRng(seed);
    const candidates = Array.from({ length: alsBudget }, (_, j) => ({
      factors: 64,
      iterations: alsIterations,
      regularization: Math.round(Math.exp(Math.log(3) + rng.next() * Math.log(100))),
      alpha: Number(Math.exp(rng.next() * Math.log(20)).toFixed(2)),
      // the first draw always covers the reference weighting
      weighting: j === 0 ? 'log' : WEIGHTINGS[rng.int(WEIGHTINGS.length)]!,
      seed: seed + j,
    }));
    return { candidates };
  },
};

/** The settings encode stored: embedding size and how fold-in turns purchases into confidences. */
function alsSettings(part: PartReader): { factors: number; alpha: number; weighting: Weighting } {
  const s = part.settings as { factors?: unknown; alpha?: unknown; weighting?: unknown } | undefined;
  const weighting = WEIGHTINGS.find((w) => w === s?.weighting);
  const { factors, alpha } = s ?? {};
  if (typeof factors !== 'number' || !Number.isInteger(factors) || factors <= 0 || typeof alpha !== 'number' || weighting === undefined) {
    return part.reject(`als settings missing or invalid (${JSON.stringify(s)})`);
  }
  return { factors, alpha, weighting };
}

function unitRows(m: Float32Array, k: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < m.length / k; r++) {
    let norm = 0;
    for (let j = 0; j < k; j++) norm += m[r * k + j]! ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < k; j++) out[r * k + j] = m[r * k + j]! * scale;
  }
  return out;
}
