// Item-kNN cosine (knn.ts) as a recommender family: a customer's score for j sums the similarities
// of the items they bought to j; the neighbour lists are also the similar items.
import { fitItemKnn, KNN_DEFAULTS, type KnnOptions } from '../knn.ts';
import type { Csr } from '../sparse.ts';
import type { RecommenderFamily } from '../family.ts';

export interface KnnModel {
  /** Item -> its neighbours and cosine similarities. */
  neighbours: Csr;
}

export const knnFamily: RecommenderFamily<'knn', KnnOptions, KnnModel> = {
  algorithm: 'knn',
  defaults: KNN_DEFAULTS,

  fit: ({ history }, options) => ({ model: { neighbours: fitItemKnn(history, options) } }),

  scorer: ({ neighbours: m }) => ({
    scoreItems(itemIdxs, out) {
      out.fill(0);
      for (let j = 0; j < itemIdxs.length; j++) {
        const row = itemIdxs[j]!;
        for (let e = m.rowPtr[row]!; e < m.rowPtr[row + 1]!; e++) out[m.colIdx[e]!]! += m.values[e]!;
      }
    },
    similarTo(i, out) {
      out.fill(-Infinity);
      for (let e = m.rowPtr[i]!; e < m.rowPtr[i + 1]!; e++) out[m.colIdx[e]!] = m.values[e]!;
    },
  }),

  encode: ({ neighbours }) => ({ arrays: { neighbours } }),
  decode: (part) => ({ neighbours: part.csr('neighbours', part.items, part.items) }),

  searchSpace: () => ({ candidates: [20, 50, 100].map((neighbours) => ({ neighbours })) }),
};
