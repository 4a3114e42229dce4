// "Because you bought X": for models whose score of an item is a sum over the customer's purchases
// (EASE: score(i) = Σ_j∈history B[j, i]; item-kNN: Σ_j sim(j, i)), the purchase with the largest
// term is the one-line reason. ALS and popularity scores have no such per-purchase terms, so they
// give no reason rather than an invented one.
import type { ModelScorer } from './registry.ts';

export interface Contribution {
  /** The bought item (model index) with the largest positive term. */
  item: number;
  /** Its term in the item's score. */
  weight: number;
}

export function strongestContribution(scorer: ModelScorer, itemCount: number, bought: ArrayLike<number>, item: number): Contribution | undefined {
  let best: Contribution | undefined;
  const consider = (j: number, w: number): void => {
    if (j !== item && w > 0 && (!best || w > best.weight)) best = { item: j, weight: w };
  };
  switch (scorer.algorithm) {
    case 'ease':
      for (let k = 0; k < bought.length; k++) consider(bought[k]!, scorer.weights[bought[k]! * itemCount + item]!);
      return best;
    case 'knn': {
      const m = scorer.neighbours;
      for (let k = 0; k < bought.length; k++) {
        const j = bought[k]!;
        for (let e = m.rowPtr[j]!; e < m.rowPtr[j + 1]!; e++) if (m.colIdx[e] === item) consider(j, m.values[e]!);
      }
      return best;
    }
    case 'als':
    case 'popularity':
      return undefined;
  }
}
