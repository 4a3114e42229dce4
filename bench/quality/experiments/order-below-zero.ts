// The spend model's prediction is max(0, x·w): every customer whose linear score is below zero gets
// the same 0, and their order is lost to any ranking (Spearman, a list sorted by value). Here, on
// inner windows only (scored at 2011-06-09 and 2011-05-10, holdouts end by 2011-09-09), the hard
// floor against one that keeps the order below zero and moves no prediction by more than c:
//   s + c for s ≥ 0, c² / (c − s) below (continuous, increasing, positive), c = `share` × mean spend per customer-horizon;
// and the zeros ordered by another predictor (BG/NBD × Gamma-Gamma, or P(any purchase) × run rate) scaled into (0, c).
//   npx tsx bench/quality/experiments/order-below-zero.ts
import { readPurchaseLog } from '../../../src/import/read-purchase-log.ts';
import { churnInputsAt } from '../../../src/ml/churn/inputs.ts';
import { spendPredictors } from '../../../src/ml/churn/spend.ts';
import { trainChurnModel } from '../../../src/ml/churn/train.ts';
import { spendBetween } from '../../../src/ml/churn/windows.ts';
import { DAY_MS } from '../../../src/ml/customers/purchase-log.ts';
import { meanAbsoluteError, spearmanCorrelation } from '../../../src/ml/metrics/regression.ts';
import { initTf } from '../../../src/ml/numeric/tf.ts';

const H = 92;
await initTf();
const { log } = await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail');

for (const day of ['2011-06-09', '2011-05-10']) {
  const cutoff = Date.parse(`${day}T00:00:00Z`);
  const training = await trainChurnModel(log, cutoff, { horizonDays: H });
  const at = churnInputsAt(log, cutoff, H);
  const n = at.summary.customer.length;
  const actual = spendBetween(log, at.summary.customer, cutoff, cutoff + H * DAY_MS);
  const x = spendPredictors(at, H);
  const w = training.spend.weights;
  const d = w.length;
  const linear = Float64Array.from({ length: n }, (_, e) => { let s = 0; for (let j = 0; j < d; j++) s += x[e * d + j]! * w[j]!; return s; });
  // the mean the floor's scale is taken from: spend per customer-horizon in the training windows
  let sum = 0;
  let rows = 0;
  for (const t of training.trainingWindows) {
    const customers = churnInputsAt(log, t.cutoff, H).summary.customer;
    for (const v of spendBetween(log, customers, t.cutoff, t.cutoff + H * DAY_MS)) sum += v;
    rows += customers.length;
  }
  const mean = sum / rows;
  const lines = [`scored at ${day}: ${n} customers, ${linear.filter((s) => s <= 0).length} with a linear score ≤ 0 (${actual.filter((v) => v === 0).length} spent nothing); mean spend per customer-horizon in training ${mean.toFixed(1)}`];
  const report = (name: string, pred: Float64Array) => lines.push(`  ${name.padEnd(34)} MAE ${meanAbsoluteError(actual, pred).toFixed(2)}  Spearman ${spearmanCorrelation(actual, pred).toFixed(4)}`);
  report('max(0, s)', linear.map((s) => Math.max(0, s)));
  for (const share of [1e-6, 1e-3, 1e-2]) {
    const c = share * mean;
    report(`order kept below zero, c ${c.toPrecision(3)}`, linear.map((s) => (s >= 0 ? s + c : (c * c) / (c - s))));
  }
  // the customers at zero ordered by another predictor instead (scaled into (0, c)): BG/NBD × Gamma-Gamma, or P(any purchase) × run rate
  const c = 1e-3 * mean;
  for (const [name, column] of [['BG/NBD × Gamma-Gamma', 0], ['P(any purchase) × run rate', 3]] as const) {
    const v = Float64Array.from({ length: n }, (_, e) => x[e * d + column]!);
    const top = v.reduce((m, a) => Math.max(m, a), 0) || 1;
    report(`zeros ordered by ${name}`, linear.map((s, e) => (s > 0 ? s + c : (c * v[e]!) / top)));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
