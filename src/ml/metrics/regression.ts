// Regression metrics for predicted customer value against what customers then spent: tiny pure
// functions over arrays of equal length, `actual[i]` and `predicted[i]` for customer i.

export type Values = ArrayLike<number>;

/** MAE = (1/n)·Σ |actualᵢ − predictedᵢ|, in the values' units; 0 is perfect. */
export function meanAbsoluteError(actual: Values, predicted: Values): number {
  checkPair(actual, predicted);
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(actual[i]! - predicted[i]!);
  return sum / actual.length;
}

/**
 * Spearman's ρ = Pearson correlation of the ranks, tied values sharing their mean rank (as
 * scipy.stats.spearmanr). Range [−1, 1]; NaN when either side is constant.
 */
export function spearmanCorrelation(a: Values, b: Values): number {
  checkPair(a, b);
  if (isConstant(a) || isConstant(b)) return Number.NaN;
  return pearson(midRanks(a), midRanks(b));
}

/** Ranks 1…n in ascending order of value; a run of ties gets the mean of the ranks it spans. */
export function midRanks(values: Values): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => values[i]! - values[j]!);
  const ranks = new Float64Array(n);
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && values[order[end + 1]!] === values[order[start]!]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]!] = rank;
    start = end + 1;
  }
  return ranks;
}

function pearson(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]! / n;
    my += y[i]! / n;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function isConstant(a: Values): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] !== a[0]) return false;
  return true;
}

function checkPair(a: Values, b: Values): void {
  if (a.length !== b.length) throw new RangeError(`need equal lengths, got ${a.length} and ${b.length}`);
  if (a.length === 0) throw new RangeError('need at least one value');
}
