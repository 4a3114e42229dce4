// Curve points for charts of a binary scorer: the ROC curve and cumulative gains (lift is gains
// divided by the fraction targeted), evaluated at every distinct score threshold and down-sampled
// to a few dozen points so a model manifest can carry them. Pure: typed arrays in, numbers out.
import type { Labels, Scores } from './classification.ts';

export interface RocCurve {
  /** False-positive rate at each threshold, from 0 to 1. */
  fpr: number[];
  /** True-positive rate (recall) at the same thresholds. */
  tpr: number[];
}

export interface GainsCurve {
  /** Fraction of customers targeted, highest scores first, from 0 to 1. */
  targeted: number[];
  /** Fraction of all positives among them. Lift at a point = captured / targeted. */
  captured: number[];
}

export interface ScoreCurves {
  roc: RocCurve;
  gains: GainsCurve;
}

/**
 * ROC and gains in one pass over the scores sorted from highest: a tie group moves the curve in one
 * step (as rocAuc counts ties), so the trapezoids under the full ROC sum to rocAuc exactly.
 * `maxPoints` bounds each curve's length (first and last points are always kept).
 */
export function scoreCurves(labels: Labels, scores: Scores, maxPoints = 40): ScoreCurves {
  if (labels.length !== scores.length) throw new RangeError(`labels (${labels.length}) and scores (${scores.length}) differ in length`);
  if (!(maxPoints >= 2)) throw new RangeError(`maxPoints must be at least 2, got ${maxPoints}`);
  const n = labels.length;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new RangeError(`label ${i} is ${labels[i]}, expected 0 or 1`);
    if (!Number.isFinite(scores[i])) throw new RangeError(`score ${i} is ${scores[i]}, expected a finite number`);
    positives += labels[i]!;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) throw new RangeError('curves need both positives and negatives');
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]!);
  const roc: RocCurve = { fpr: [0], tpr: [0] };
  const gains: GainsCurve = { targeted: [0], captured: [0] };
  let tp = 0;
  let seen = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1]!] === scores[order[start]!]) end++;
    for (let j = start; j <= end; j++) tp += labels[order[j]!]!;
    seen = end + 1;
    roc.fpr.push((seen - tp) / negatives);
    roc.tpr.push(tp / positives);
    gains.targeted.push(seen / n);
    gains.captured.push(tp / positives);
    start = end + 1;
  }
  const keep = evenlySpaced(gains.targeted, maxPoints);
  return {
    roc: { fpr: keep.map((k) => roc.fpr[k]!), tpr: keep.map((k) => roc.tpr[k]!) },
    gains: { targeted: keep.map((k) => gains.targeted[k]!), captured: keep.map((k) => gains.captured[k]!) },
  };
}

/** Area under a piecewise-linear curve by trapezoids; for a full ROC curve this is ROC AUC. */
export function trapezoidArea(x: readonly number[], y: readonly number[]): number {
  let area = 0;
  for (let k = 1; k < x.length; k++) area += ((x[k]! - x[k - 1]!) * (y[k]! + y[k - 1]!)) / 2;
  return area;
}

/** Indices of the points nearest to `count` evenly spaced positions of an increasing 0..1 axis. */
function evenlySpaced(axis: readonly number[], count: number): number[] {
  if (axis.length <= count) return axis.map((_, k) => k);
  const out: number[] = [0];
  let k = 0;
  for (let step = 1; step < count - 1; step++) {
    const target = step / (count - 1);
    while (k + 1 < axis.length && axis[k + 1]! <= target) k++;
    if (k > out[out.length - 1]!) out.push(k);
  }
  out.push(axis.length - 1);
  return out;
}
