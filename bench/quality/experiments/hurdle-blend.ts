// The spend model (LAD blend, spend.ts) with one hurdle predictor added, on inner windows only
// (scored at 2011-06-09 and 2011-05-10, holdouts end by 2011-09-09). The hurdle predictor is
// P(purchase in the horizon) × E[spend | purchase] (hurdle.ts: LAD of log spend on log spend per
// order, log orders, log recency, log tenure over the training windows' buyers, times the mean of
// exp(residual)), or P(purchase) × run rate. P(purchase) on the training rows is the classifier's
// in-sample, or cross-fitted (two classifiers on halves of the customers, each scoring the other
// half; the scored cutoff uses the full classifier), or BG/NBD's.
//   npx tsx bench/quality/experiments/hurdle-blend.ts
import { readPurchaseLog } from '../../../src/import/read-purchase-log.ts';
import { fitChurnClassifier, scoreChurnClassifier, splitByGroup } from '../../../src/ml/churn/classifier.ts';
import { CHURN_FEATURE_NAMES, tenureDays } from '../../../src/ml/churn/features.ts';
import { churnInputsAt, type ChurnInputs } from '../../../src/ml/churn/inputs.ts';
import { spendPredictors, SPEND_PREDICTORS } from '../../../src/ml/churn/spend.ts';
import { trainChurnModel } from '../../../src/ml/churn/train.ts';
import { churnLabels, spendBetween } from '../../../src/ml/churn/windows.ts';
import { DAY_MS } from '../../../src/ml/customers/purchase-log.ts';
import { meanAbsoluteError, spearmanCorrelation } from '../../../src/ml/metrics/regression.ts';
import { leastAbsoluteDeviations as lad } from '../../../src/ml/numeric/least-absolute-deviations.ts';
import { initTf } from '../../../src/ml/numeric/tf.ts';

const H = 92;
await initTf();
const { log } = await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail');

const cond = (i: ChurnInputs, e: number) => [1, Math.log(Math.max(1, i.summary.meanOrderValue[e]!)), Math.log(i.summary.orders[e]!), Math.log1p(i.summary.daysSinceLastPurchase[e]!), Math.log1p(tenureDays(i.summary, e))];
const dot = (w: Float64Array, r: number[]) => r.reduce((s, v, j) => s + v * w[j]!, 0);
const D0 = SPEND_PREDICTORS.length;

/** Spend predictors of `inputs` with the `extras(e)` appended as further columns. */
function withExtra(inputs: ChurnInputs, extras: (e: number) => number[]): { x: Float64Array; d: number } {
  const b = spendPredictors(inputs, H);
  const m = inputs.summary.customer.length;
  const d = D0 + extras(0).length;
  const x = new Float64Array(m * d);
  for (let e = 0; e < m; e++) {
    x.set(b.subarray(e * D0, e * D0 + D0), e * d);
    x.set(extras(e), e * d + D0);
  }
  return { x, d };
}

for (const day of ['2011-06-09', '2011-05-10']) {
  const cutoff = Date.parse(`${day}T00:00:00Z`);
  const training = await trainChurnModel(log, cutoff, { horizonDays: H });
  const windows = training.trainingWindows.map((w) => {
    const inputs = churnInputsAt(log, w.cutoff, H);
    return { inputs, y: spendBetween(log, inputs.summary.customer, w.cutoff, w.cutoff + H * DAY_MS), labels: churnLabels(log, inputs.summary.customer, w.cutoff, w.cutoff + H * DAY_MS) };
  });
  const rowsOf = windows.map((w) => w.y.length);
  const total = rowsOf.reduce((s, r) => s + r, 0);
  const x = new Float32Array(total * CHURN_FEATURE_NAMES.length);
  const labels = new Uint8Array(total);
  const groups = new Int32Array(total);
  let o = 0;
  for (const w of windows) {
    x.set(w.inputs.features, o * CHURN_FEATURE_NAMES.length);
    labels.set(w.labels, o);
    groups.set(w.inputs.summary.customer, o);
    o += w.y.length;
  }
  const inSample = scoreChurnClassifier(training.fit.classifier, x, total).probability;
  const { fitIdx: a, valIdx: b } = splitByGroup(groups, 0.5, 7);
  const crossFit = new Float64Array(total);
  for (const [fitRows, scoreRows] of [[a, b], [b, a]] as const) {
    const take = (idx: Int32Array) => {
      const out = new Float32Array(idx.length * CHURN_FEATURE_NAMES.length);
      idx.forEach((r, k) => out.set(x.subarray(r * CHURN_FEATURE_NAMES.length, (r + 1) * CHURN_FEATURE_NAMES.length), k * CHURN_FEATURE_NAMES.length));
      return out;
    };
    const half = await fitChurnClassifier(take(fitRows), Uint8Array.from(fitRows, (r) => labels[r]!), CHURN_FEATURE_NAMES, { groups: Int32Array.from(fitRows, (r) => groups[r]!) });
    const p = scoreChurnClassifier(half.classifier, take(scoreRows), scoreRows.length).probability;
    scoreRows.forEach((r, k) => { crossFit[r] = p[k]!; });
  }
  const at = churnInputsAt(log, cutoff, H);
  const n = at.summary.customer.length;
  const actual = spendBetween(log, at.summary.customer, cutoff, cutoff + H * DAY_MS);
  const pChurnAt = scoreChurnClassifier(training.fit.classifier, at.features, n).probability;

  // E[spend | purchase]: LAD in logs over the buyers of the training windows, times the mean of exp(residual)
  const buyerRows: number[][] = [];
  const buyerY: number[] = [];
  for (const w of windows) for (let e = 0; e < w.y.length; e++) if (w.y[e]! > 0) { buyerRows.push(cond(w.inputs, e)); buyerY.push(Math.log(w.y[e]!)); }
  const cw = lad(Float64Array.from(buyerRows.flat()), Float64Array.from(buyerY), buyerRows[0]!.length);
  const smear = buyerY.reduce((s, y, i) => s + Math.exp(y - dot(cw, buyerRows[i]!)), 0) / buyerY.length;
  const given = (i: ChurnInputs, e: number) => Math.exp(dot(cw, cond(i, e))) * smear;
  const runRate = (i: ChurnInputs, e: number) => (i.summary.totalValue[e]! * H) / Math.max(tenureDays(i.summary, e), H);

  const offsets = rowsOf.map((_, k) => rowsOf.slice(0, k).reduce((s, r) => s + r, 0));
  const pTrain: Record<string, (k: number, e: number) => number> = {
    'classifier in-sample': (k, e) => 1 - inSample[offsets[k]! + e]!,
    'classifier cross-fit': (k, e) => 1 - crossFit[offsets[k]! + e]!,
    bgnbd: (k, e) => 1 - windows[k]!.inputs.bgNbdScores.pNoPurchase[e]!,
  };
  const pAt: Record<string, (e: number) => number> = {
    'classifier in-sample': (e) => 1 - pChurnAt[e]!,
    'classifier cross-fit': (e) => 1 - pChurnAt[e]!,
    bgnbd: (e) => 1 - at.bgNbdScores.pNoPurchase[e]!,
  };
  const yAll = Float64Array.from(windows.flatMap((w) => [...w.y]));
  const lines = [`scored at ${day}: ${n} customers`];
  const report = (name: string, pred: Float64Array, w?: Float64Array) => lines.push(`  ${name.padEnd(46)} MAE ${meanAbsoluteError(actual, pred).toFixed(1)}  Spearman ${spearmanCorrelation(actual, pred).toFixed(3)}  total ${(pred.reduce((s, v) => s + v, 0) / actual.reduce((s, v) => s + v, 0)).toFixed(3)}${w ? `  w ${[...w].map((v) => v.toPrecision(3)).join(' ')}` : ''}`);
  const fitAndScore = (name: string, extraTrain: (k: number, e: number) => number[], extraAt: (e: number) => number[]) => {
    const tx = windows.map((w, k) => withExtra(w.inputs, (e) => extraTrain(k, e)));
    const d = tx[0]!.d;
    const w = lad(Float64Array.from(tx.flatMap((t) => [...t.x])), yAll, d);
    const ax = withExtra(at, extraAt).x;
    const pred = Float64Array.from({ length: n }, (_, e) => { let s = 0; for (let j = 0; j < d; j++) s += ax[e * d + j]! * w[j]!; return Math.max(0, s); });
    report(name, pred, w);
  };
  const base = lad(Float64Array.from(windows.flatMap((w) => [...spendPredictors(w.inputs, H)])), yAll, D0);
  const bx = spendPredictors(at, H);
  const basePred = Float64Array.from({ length: n }, (_, e) => { let s = 0; for (let j = 0; j < D0; j++) s += bx[e * D0 + j]! * base[j]!; return Math.max(0, s); });
  report('spend model', basePred, base);
  for (const p of Object.keys(pTrain)) {
    report(`rank only: hurdle mean, ${p}`, Float64Array.from({ length: n }, (_, e) => pAt[p]!(e) * given(at, e)));
    fitAndScore(`+ hurdle mean, ${p}`, (k, e) => [pTrain[p]!(k, e) * given(windows[k]!.inputs, e)], (e) => [pAt[p]!(e) * given(at, e)]);
    fitAndScore(`+ P × run rate, ${p}`, (k, e) => [pTrain[p]!(k, e) * runRate(windows[k]!.inputs, e)], (e) => [pAt[p]!(e) * runRate(at, e)]);
  }
  const both = (pa: string, pb: string) => fitAndScore(`+ hurdle mean (${pa.split(' ')[0]}) + P × run rate (${pb.split(' ')[0]})`,
    (k, e) => [pTrain[pa]!(k, e) * given(windows[k]!.inputs, e), pTrain[pb]!(k, e) * runRate(windows[k]!.inputs, e)],
    (e) => [pAt[pa]!(e) * given(at, e), pAt[pb]!(e) * runRate(at, e)]);
  both('bgnbd', 'bgnbd');
  both('classifier cross-fit', 'bgnbd');
  lines.push(`  cross-fit classifier on the training rows: mean P(churn) ${(crossFit.reduce((s, v) => s + v, 0) / total).toFixed(3)}, in-sample ${(inSample.reduce((s, v) => s + v, 0) / total).toFixed(3)}, actual ${(labels.reduce((s, v) => s + v, 0) / total).toFixed(3)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
