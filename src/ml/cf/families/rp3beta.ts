// RP3beta (rp3beta.ts) as a recommender family: a customer's score for j sums W_ij over the items
// they bought, plus the popularity prior, exactly as item-kNN scores its neighbour lists (the same
// scorer), so a sparse shop's customers whose items reach no neighbour get popular items instead
// of the lowest item indices.
import { fitRp3beta, RP3BETA_DEFAULTS, type Rp3betaOptions } from '../rp3beta.ts';
import { TIE_BREAK_WEIGHT } from '../popularity-prior.ts';
import type { RecommenderFamily } from '../family.ts';
import { knnFamily, neighbourPrior, neighbourSettings, type KnnModel } from './knn.ts';

export interface Rp3betaFamilyOptions extends Rp3betaOptions {
  /** Weight of popularity against the customer's best walk score (TIE_BREAK_WEIGHT: ties only). */
  prior: number;
}

export const rp3betaFamily: RecommenderFamily<'rp3beta', Rp3betaFamilyOptions, KnnModel> = {
  algorithm: 'rp3beta',
  defaults: { ...RP3BETA_DEFAULTS, prior: TIE_BREAK_WEIGHT },

  fit: ({ history }, options) => ({ model: { neighbours: fitRp3beta(history, options), prior: options.prior } }),

  scorer: (model, context) => knnFamily.scorer(model, context),
  batchTopN: (model, users, k, context, onProgress) => knnFamily.batchTopN!(model, users, k, context, onProgress),

  encode: ({ neighbours, prior }) => ({ ...neighbourSettings(prior), arrays: { 'rp3beta-neighbours': neighbours } }),
  decode: (part) => ({ neighbours: part.csr('rp3beta-neighbours', part.items, part.items), prior: neighbourPrior(part) }),

  // the settings that led on the Online Retail validation windows (time and random), bench/quality/README.md
  searchSpace: () => ({
    candidates: [
      { alpha: 0.8, beta: 0.4, neighbours: 20 },
      { alpha: 0.7, beta: 0.5, neighbours: 20 },
      { alpha: 0.8, beta: 0.5, neighbours: 40 },
    ],
  }),
};
