// Binary classification metrics for churn scores: tiny pure functions over typed arrays.
// `labels[i]` is 1 for a positive (a customer who churned), 0 otherwise; `scores[i]` is any
// number where higher means "more likely positive" (probabilities for Brier and calibration).

export type Labels = ArrayLike<number>;
export type Scores = ArrayLike<number>;

/** ROC AUC = P(score of a random positive > score of a random negative), ties count 1/2 (Mann-Whitney U / (n₊·n₋)). Range [0, 1]. */
export function rocAuc(labels: Labels, scores: Scores): number {
  checkPair(labels, scores);
  const order = sortedIndex(scores, false);
  const n = order.length;
  let positives = 0;
  let rankSumPositives = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const midRank = (start + end) / 2 + 1;
    for (let j = start; j <= end; j++) {
      if (labels[order[j]!] === 1) {
        positives++;
        rankSumPositives += midRank;
      }
    }
    start = end + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) throw new RangeError('rocAuc needs both positives and negatives');
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** PR AUC as average precision: AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ over distinct score thresholds, highest first (as scikit-learn). Range [0, 1]. */
export function averagePrecision(labels: Labels, scores: Scores): number {
  checkPair(labels, scores);
  const order = sortedIndex(scores, true);
  const total = countPositives(labels);
  if (total === 0) throw new RangeError('averagePrecision needs at least one positive');
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    let tpHere = 0;
    for (let j = start; j <= end; j++) tpHere += labels[order[j]!] === 1 ? 1 : 0;
    tp += tpHere;
    seen += end - start + 1;
    ap += (tpHere / total) * (tp / seen);
    start = end + 1;
  }
  return ap;
}

/** Brier score = (1/n)·Σ (pᵢ − yᵢ)²; 0 is perfect, 0.25 is a coin flip at p = 0.5. */
export function brierScore(labels: Labels, probabilities: Scores): number {
  checkPair(labels, probabilities);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += (probabilities[i]! - labels[i]!) ** 2;
  return sum / labels.length;
}

/**
 * Lift at a fraction = (positive rate among the top k = ⌈fraction·n⌉ scores) / (overall positive rate);
 * 1 is no better than random. A tie group straddling rank k contributes its positive share pro rata.
 */
export function liftAt(labels: Labels, scores: Scores, fraction = 0.1): number {
  checkPair(labels, scores);
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`fraction must be in (0, 1], got ${fraction}`);
  const order = sortedIndex(scores, true);
  const k = Math.ceil(fraction * order.length);
  let top = 0;
  for (let start = 0; start < k; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    let positives = 0;
    for (let j = start; j <= end; j++) positives += labels[order[j]!]!;
    const size = end - start + 1;
    top += (positives * Math.min(size, k - start)) / size;
    start = end + 1;
  }
  const rate = countPositives(labels) / labels.length;
  if (rate === 0) throw new RangeError('liftAt needs at least one positive');
  return top / k / rate;
}

export interface CalibrationBin {
  /** Bin covers predicted probabilities in [lower, upper) (the last bin includes 1). */
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** Reliability table: equal-width probability bins with mean prediction vs observed positive rate; empty bins are omitted. */
export function calibrationTable(labels: Labels, probabilities: Scores, bins = 10): CalibrationBin[] {
  checkPair(labels, probabilities);
  const count = new Float64Array(bins);
  const predicted = new Float64Array(bins);
  const observed = new Float64Array(bins);
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i]!;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[b]! += 1;
    predicted[b]! += p;
    observed[b]! += labels[i]!;
  }
  const table: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const c = count[b]!;
    if (c === 0) continue;
    table.push({ lower: b / bins, upper: (b + 1) / bins, count: c, meanPredicted: predicted[b]! / c, observedRate: observed[b]! / c });
  }
  return table;
}

function checkPair(labels: Labels, scores: Scores): void {
  if (labels.length !== scores.length) throw new RangeError(`labels (${labels.length}) and scores (${scores.length}) differ in length`);
  if (labels.length === 0) throw new RangeError('no examples');
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new RangeError(`label ${i} is ${y}, expected 0 or 1`);
    if (!Number.isFinite(scores[i])) throw new RangeError(`score ${i} is ${scores[i]}, expected a finite number`);
  }
}

function countPositives(labels: Labels): number {
  let n = 0;
  for (let i = 0; i < labels.length; i++) n += labels[i]!;
  return n;
}

function sortedIndex(scores: Scores, descending: boolean): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort(descending ? (a, b) => scores[b]! - scores[a]! : (a, b) => scores[a]! - scores[b]!);
}
