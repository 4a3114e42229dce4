// Popularity as the prior of neighbourhood models (item-kNN, RP3beta). Their scores are sums of
// sparse neighbour weights: a customer whose few items have no neighbours gets zeros everywhere,
// and on a sparse shop that is most customers, so the top-N would be the lowest item indices. Adding
// a popularity term, scaled to the customer's own best score, ranks those ties by popularity and,
// with a larger weight, pulls weak evidence toward what most customers buy.

/** Weight small enough to only break ties (and near-ties within 1e-4 of the customer's best score). */
export const TIE_BREAK_WEIGHT = 1e-4;

/** popularity / max popularity, in [0, 1]: the prior in the units `addPopularityPrior` expects. */
export function popularityPrior(popularity: Float32Array): Float32Array {
  let max = 0;
  for (let i = 0; i < popularity.length; i++) if (popularity[i]! > max) max = popularity[i]!;
  return popularity.map((p) => (max > 0 ? p / max : 0));
}

/**
 * scores_j <- scores_j / max_i scores_i + weight * prior_j, in place (over `members` only, when
 * given). A customer without any positive score gets the prior alone, so the order is popularity.
 */
export function addPopularityPrior(scores: Float32Array, prior: Float32Array, weight: number, members?: Int32Array): void {
  const length = members ? members.length : scores.length;
  let max = 0;
  for (let m = 0; m < length; m++) {
    const s = scores[members ? members[m]! : m]!;
    if (s > max) max = s;
  }
  const scale = max > 0 ? 1 / max : 0;
  for (let m = 0; m < length; m++) {
    const j = members ? members[m]! : m;
    scores[j] = scores[j]! * scale + weight * prior[j]!;
  }
}
