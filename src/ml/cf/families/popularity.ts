// Popularity / trending as a recommender family: every customer gets the same order (distinct
// buyers, optionally in a recent window), and similar items come from item-kNN lists computed at
// training time, since popularity itself knows no similarity.
import { fitPopularity, POPULARITY_DEFAULTS, type PopularityOptions } from '../popularity.ts';
import { fitItemKnn } from '../knn.ts';
import type { RecommenderFamily } from '../family.ts';
import { knnFamily } from './knn.ts';

/** The window is the hyperparameter; the window's end is the log's last purchase. */
export type PopularitySettings = Pick<PopularityOptions, 'windowDays'>;

/** Nothing beyond the popularity vector every serving state holds. */
export type PopularityModel = Record<never, never>;

export const popularityFamily: RecommenderFamily<'popularity', PopularitySettings, PopularityModel> = {
  algorithm: 'popularity',
  defaults: { windowDays: POPULARITY_DEFAULTS.windowDays },

  fit: ({ log, endTime }, { windowDays }) => ({ model: {}, popularity: fitPopularity(log, { windowDays, endTime }) }),

  scorer: (_model, { popularity, similarItems }) => ({
    scoreItems: (_items, out) => out.set(popularity),
    similarTo(i, out) {
      // only the precomputed neighbours exist: everything else is "not similar"
      out.fill(-Infinity);
      const { perRow, items, scores } = similarItems;
      for (let k = 0; k < perRow; k++) {
        const j = items[i * perRow + k]!;
        if (j >= 0) out[j] = scores[i * perRow + k]!;
      }
    },
  }),

  listSimilarity: (history, perItem, context) => knnFamily.scorer({ neighbours: fitItemKnn(history, { neighbours: perItem }), prior: 0 }, context),

  encode: () => ({ arrays: {} }),
  decode: () => ({}),

  searchSpace: () => ({ candidates: [{}, { windowDays: 30 }] }),
};
