// A blend of recommenders of different families: each model's scores for one customer are put on a
// common scale, then summed with weights chosen on validation. The scale is per customer and per
// model, (s - mean) / (max - mean) over the scored items: the model's best item scores 1 and its
// average item 0, whatever the family's units (EASE weights, cosine sums, dot products).

/** Rescales `scores` in place so that their mean is 0 and their maximum 1 (all zeros if constant). */
export function normaliseScores(scores: Float32Array, members?: Int32Array): void {
  if (members) {
    normaliseMembers(scores, members);
    return;
  }
  const length = scores.length;
  if (length === 0) return;
  let sum = 0;
  let max = -Infinity;
  for (let j = 0; j < length; j++) {
    const s = scores[j]!;
    sum += s;
    if (s > max) max = s;
  }
  const mean = sum / length;
  const scale = max > mean ? 1 / (max - mean) : 0;
  for (let j = 0; j < length; j++) scores[j] = (scores[j]! - mean) * scale;
}

function normaliseMembers(scores: Float32Array, members: Int32Array): void {
  const length = members.length;
  if (length === 0) return;
  let sum = 0;
  let max = -Infinity;
  for (let m = 0; m < length; m++) {
    const s = scores[members[m]!]!;
    sum += s;
    if (s > max) max = s;
  }
  const mean = sum / length;
  const scale = max > mean ? 1 / (max - mean) : 0;
  for (let m = 0; m < length; m++) {
    const j = members[m]!;
    scores[j] = (scores[j]! - mean) * scale;
  }
}

/**
 * out = sum_m weights[m] * normalised(parts[m]); the parts are normalised in place. Weights need
 * not sum to 1 (only their ratios change the ranking).
 */
export function blendScores(parts: readonly Float32Array[], weights: readonly number[], out: Float32Array, members?: Int32Array): void {
  for (const part of parts) normaliseScores(part, members);
  sumWeighted(parts, weights, out, members);
}

/**
 * out = sum_m weights[m] * parts[m], for parts already normalised: the second half of
 * blendScores, so scores normalised once can be blended at many weights.
 */
export function sumWeighted(parts: readonly Float32Array[], weights: readonly number[], out: Float32Array, members?: Int32Array): void {
  if (parts.length !== weights.length) throw new RangeError(`${parts.length} score vectors but ${weights.length} weights`);
  if (members) {
    for (let m = 0; m < members.length; m++) out[members[m]!] = 0;
    parts.forEach((part, p) => {
      const w = weights[p]!;
      for (let m = 0; m < members.length; m++) out[members[m]!]! += w * part[members[m]!]!;
    });
    return;
  }
  out.fill(0);
  parts.forEach((part, p) => {
    const w = weights[p]!;
    for (let j = 0; j < out.length; j++) out[j]! += w * part[j]!;
  });
}

/** Weight vectors on the simplex with the given step (e.g. step 0.25 and 2 parts: [0,1], [0.25,0.75], ...). */
export function simplexGrid(parts: number, step: number): number[][] {
  const steps = Math.round(1 / step);
  const out: number[][] = [];
  const recurse = (prefix: number[], left: number): void => {
    if (prefix.length === parts - 1) {
      out.push([...prefix, left / steps]);
      return;
    }
    for (let s = 0; s <= left; s++) recurse([...prefix, s / steps], left - s);
  };
  recurse([], steps);
  return out;
}
