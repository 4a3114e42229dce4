// Spend model with and without non-negative weights (the stacking constraint of Breiman 1996,
// "Stacked regressions": the predictors are forecasts of the target, and a negative weight only
// trades one nearly collinear forecast against another; the intercept
// stays free), with and without the fifth predictor P(purchase) × run rate, on inner windows only:
// scored at 2011-06-09 and 2011-05-10, fitted on the 6 stacked windows before them (as
// trainChurnModel), holdouts end by 2011-09-09.
//   npx tsx bench/quality/experiments/spend-nonneg.ts
import { readPurchaseLog } from '../../../src/import/read-purchase-log.ts';
import { churnInputsAt } from '../../../src/ml/churn/inputs.ts';
import { predictSpend, spendPredictors, SPEND_PREDICTORS } from '../../../src/ml/churn/spend.ts';
import { spendBetween } from '../../../src/ml/churn/windows.ts';
import { DAY_MS } from '../../../src/ml/customers/purchase-log.ts';
import { meanAbsoluteError, spearmanCorrelation } from '../../../src/ml/metrics/regression.ts';
import { leastAbsoluteDeviations, rowDot } from '../../../src/ml/numeric/least-absolute-deviations.ts';

const H = 92;
const { log } = await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail');
const FIRST = log.time.reduce((m, t) => Math.min(m, t), Infinity);
const D = SPEND_PREDICTORS.length;
const INTERCEPT = D - 1;
const columnSets: Record<string, number[]> = {
  'four (no P × run rate)': [0, 1, 2, INTERCEPT],
  'five': [0, 1, 2, 3, INTERCEPT],
};
const pick = (x: Float64Array, cols: number[]) => {
  const n = x.length / D;
  const out = new Float64Array(n * cols.length);
  for (let i = 0; i < n; i++) cols.forEach((j, k) => { out[i * cols.length + k] = x[i * D + j]!; });
  return out;
};

for (const day of ['2011-06-09', '2011-05-10']) {
  const cutoff = Date.parse(`${day}T00:00:00Z`);
  const xs: Float64Array[] = [];
  const ys: Float64Array[] = [];
  for (let k = 0; k < 6; k++) {
    const c = cutoff - H * DAY_MS - k * 15 * DAY_MS;
    if (!(FIRST < c)) break;
    const inputs = churnInputsAt(log, c, H);
    xs.push(spendPredictors(inputs, H));
    ys.push(spendBetween(log, inputs.summary.customer, c, c + H * DAY_MS));
  }
  const x = Float64Array.from(xs.flatMap((a) => [...a]));
  const y = Float64Array.from(ys.flatMap((a) => [...a]));
  const at = churnInputsAt(log, cutoff, H);
  const xAt = spendPredictors(at, H);
  const actual = spendBetween(log, at.summary.customer, cutoff, cutoff + H * DAY_MS);
  const lines = [`scored at ${day}: ${actual.length} customers, ${y.length} training rows`];
  for (const [name, cols] of Object.entries(columnSets)) {
    const constrained = cols.map((_, k) => k).filter((k) => cols[k] !== INTERCEPT);
    for (const [fit, w] of [
      ['free', leastAbsoluteDeviations(pick(x, cols), y, cols.length)],
      ['non-negative', nonNegativeLeastAbsoluteDeviations(pick(x, cols), y, cols.length, constrained)],
    ] as const) {
      const pred = predictSpend({ weights: w, horizonDays: H }, pick(xAt, cols));
      lines.push(`  ${name.padEnd(24)} ${fit.padEnd(13)} MAE ${meanAbsoluteError(actual, pred).toFixed(1)}  Spearman ${spearmanCorrelation(actual, pred).toFixed(3)}  total ${(pred.reduce((s, v) => s + v, 0) / actual.reduce((s, v) => s + v, 0)).toFixed(3)}  w ${[...w].map((v) => v.toPrecision(3)).join(' ')}`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * LAD with w_j ≥ 0 for every column in `nonNegative`. The convex problem's optimum is the
 * unconstrained LAD on the columns it leaves positive, so every subset of the constrained columns
 * is fitted (2^|nonNegative| fits: for a handful of predictors) and the feasible fit with the
 * smallest Σ |r| wins.
 */
export function nonNegativeLeastAbsoluteDeviations(x: Float64Array, y: Float64Array, d: number, nonNegative: readonly number[], iterations = 50): Float64Array {
  if (nonNegative.length > 12) throw new RangeError(`at most 12 constrained columns, got ${nonNegative.length}`);
  const n = y.length;
  let best: { w: Float64Array; loss: number } | undefined;
  for (let mask = 0; mask < 1 << nonNegative.length; mask++) {
    const dropped = new Set(nonNegative.filter((_, k) => mask & (1 << k)));
    const kept = Array.from({ length: d }, (_, j) => j).filter((j) => !dropped.has(j));
    const sub = new Float64Array(n * kept.length);
    for (let i = 0; i < n; i++) kept.forEach((j, k) => { sub[i * kept.length + k] = x[i * d + j]!; });
    const ws = kept.length > 0 ? leastAbsoluteDeviations(sub, y, kept.length, iterations) : new Float64Array(0);
    if (kept.some((j, k) => nonNegative.includes(j) && ws[k]! < 0)) continue;
    const w = new Float64Array(d);
    kept.forEach((j, k) => { w[j] = ws[k]!; });
    let loss = 0;
    for (let i = 0; i < n; i++) loss += Math.abs(y[i]! - rowDot(x, i, d, w));
    if (!best || loss < best.loss) best = { w, loss };
  }
  // the subset dropping every constrained column is always feasible
  return best!.w;
}

