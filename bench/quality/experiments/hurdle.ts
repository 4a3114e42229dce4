// Hurdle spend experiments on inner windows only (scored at 2011-06-09 and 2011-05-10, holdouts end
// by 2011-09-09: nothing of the test window is read). Spend in the horizon = P(purchase) × spend
// given a purchase: P(purchase) from the churn classifier (1 − P(churn)) or from BG/NBD; spend
// given a purchase from a least-absolute-deviations regression of log holdout spend on log past
// spend per order, log orders, log recency, log tenure, log last-horizon spend and log run rate,
// fitted on the buyers of the stacked training windows trainChurnModel uses. Printed: MAE and
// Spearman of the mean (P × E[spend | buy]), of the mixture's median (the MAE-optimal point) and of
// the existing spend model with the hurdle mean as a fifth predictor.
//   npx tsx bench/quality/experiments/hurdle.ts
import { readPurchaseLog } from '../../../src/import/read-purchase-log.ts';
import { scoreChurnClassifier } from '../../../src/ml/churn/classifier.ts';
import { tenureDays } from '../../../src/ml/churn/features.ts';
import { churnInputsAt, type ChurnInputs } from '../../../src/ml/churn/inputs.ts';
import { predictSpend, spendPredictors, SPEND_PREDICTORS } from '../../../src/ml/churn/spend.ts';
import { trainChurnModel } from '../../../src/ml/churn/train.ts';
import { spendBetween } from '../../../src/ml/churn/windows.ts';
import { DAY_MS } from '../../../src/ml/customers/purchase-log.ts';
import { meanAbsoluteError, spearmanCorrelation } from '../../../src/ml/metrics/regression.ts';
import { leastAbsoluteDeviations as lad } from '../../../src/ml/numeric/least-absolute-deviations.ts';
import { bfgs } from '../../../src/ml/numeric/optimize.ts';
import { initTf } from '../../../src/ml/numeric/tf.ts';

const H = 92;
await initTf();
const { log } = await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail');

type Cond = (i: ChurnInputs, e: number) => number[];
const CONDITIONALS: Record<string, Cond> = {
  'aov+orders': (i, e) => [1, Math.log(Math.max(1, i.summary.meanOrderValue[e]!)), Math.log(i.summary.orders[e]!)],
  'aov+orders+rec+ten': (i, e) => [1, Math.log(Math.max(1, i.summary.meanOrderValue[e]!)), Math.log(i.summary.orders[e]!), Math.log1p(i.summary.daysSinceLastPurchase[e]!), Math.log1p(tenureDays(i.summary, e))],
  'all': (i, e) => {
    const s = i.summary;
    return [1, Math.log(Math.max(1, s.meanOrderValue[e]!)), Math.log(s.orders[e]!), Math.log1p(s.daysSinceLastPurchase[e]!), Math.log1p(tenureDays(s, e)),
      Math.log1p(Math.max(0, i.trends.spendLastHorizon[e]!)), Math.log1p((s.totalValue[e]! * H) / Math.max(tenureDays(s, e), H))];
  },
};

const dot = (w: Float64Array, r: number[]) => r.reduce((s, v, j) => s + v * w[j]!, 0);
const quantile = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * sorted.length)))]!;

for (const day of ['2011-06-09', '2011-05-10']) {
  const cutoff = Date.parse(`${day}T00:00:00Z`);
  const training = await trainChurnModel(log, cutoff, { horizonDays: H });
  const windows = training.trainingWindows.map((w) => {
    const inputs = churnInputsAt(log, w.cutoff, H);
    const pChurn = scoreChurnClassifier(training.fit.classifier, inputs.features, inputs.summary.customer.length).probability;
    return { inputs, pChurn, y: spendBetween(log, inputs.summary.customer, w.cutoff, w.cutoff + H * DAY_MS) };
  });
  const at = churnInputsAt(log, cutoff, H);
  const n = at.summary.customer.length;
  const actual = spendBetween(log, at.summary.customer, cutoff, cutoff + H * DAY_MS);
  const pChurnAt = scoreChurnClassifier(training.fit.classifier, at.features, n).probability;
  const base = predictSpend(training.spend, spendPredictors(at, H));
  const out = [`scored at ${day}: ${n} customers; spend model MAE ${meanAbsoluteError(actual, base).toFixed(1)} Spearman ${spearmanCorrelation(actual, base).toFixed(3)}`];
  const pSources: Record<string, { train: (k: number, e: number) => number; at: (e: number) => number }> = {
    classifier: { train: (k, e) => 1 - windows[k]!.pChurn[e]!, at: (e) => 1 - pChurnAt[e]! },
    bgnbd: { train: (k, e) => 1 - windows[k]!.inputs.bgNbdScores.pNoPurchase[e]!, at: (e) => 1 - at.bgNbdScores.pNoPurchase[e]! },
  };
  for (const [cname, cond] of Object.entries(CONDITIONALS)) {
    const rows: number[][] = [];
    const ys: number[] = [];
    for (const w of windows) for (let e = 0; e < w.y.length; e++) if (w.y[e]! > 0) { rows.push(cond(w.inputs, e)); ys.push(Math.log(w.y[e]!)); }
    const d = rows[0]!.length;
    const wts = lad(Float64Array.from(rows.flat()), Float64Array.from(ys), d);
    const resid = Float64Array.from(ys, (y, i) => y - dot(wts, rows[i]!)).sort();
    const smear = resid.reduce((s, r) => s + Math.exp(r), 0) / resid.length;
    const muAt = Float64Array.from({ length: n }, (_, e) => dot(wts, cond(at, e)));
    for (const [pname, p] of Object.entries(pSources)) {
      const mean = Float64Array.from(muAt, (mu, e) => p.at(e) * Math.exp(mu) * smear);
      // the median of "0 with probability 1 − p, else exp(mu + r)": 0 when p ≤ 1/2, else the conditional (p − 1/2)/p quantile
      const median = Float64Array.from(muAt, (mu, e) => { const q = p.at(e); return q <= 0.5 ? 0 : Math.exp(mu + quantile(resid, (q - 0.5) / q)); });
      const medianTie = Float64Array.from(median, (m, e) => m + 1e-3 * mean[e]! / (1 + mean[e]!));
      // the existing LAD blend with the hurdle mean as a fifth predictor, fitted on the same windows
      const d0 = SPEND_PREDICTORS.length;
      const blendX = (inputs: ChurnInputs, pe: (e: number) => number, mu: (e: number) => number) => {
        const b = spendPredictors(inputs, H);
        const m = inputs.summary.customer.length;
        const x = new Float64Array(m * (d0 + 1));
        for (let e = 0; e < m; e++) { x.set(b.subarray(e * d0, e * d0 + d0), e * (d0 + 1)); x[e * (d0 + 1) + d0] = pe(e) * Math.exp(mu(e)) * smear; }
        return x;
      };
      const trX = windows.map((w, k) => blendX(w.inputs, (e) => p.train(k, e), (e) => dot(wts, cond(w.inputs, e))));
      const bx = Float64Array.from(trX.flatMap((a) => [...a]));
      const by = Float64Array.from(windows.flatMap((w) => [...w.y]));
      const bw = lad(bx, by, d0 + 1);
      const atX = blendX(at, p.at, (e) => muAt[e]!);
      const blend = Float64Array.from({ length: n }, (_, e) => { let s = 0; for (let j = 0; j <= d0; j++) s += atX[e * (d0 + 1) + j]! * bw[j]!; return Math.max(0, s); });
      const fmt = (name: string, pred: Float64Array) => `  ${cname.padEnd(20)} ${pname.padEnd(10)} ${name.padEnd(14)} MAE ${meanAbsoluteError(actual, pred).toFixed(1)}  Spearman ${spearmanCorrelation(actual, pred).toFixed(3)}  total ${(pred.reduce((s, v) => s + v, 0) / actual.reduce((s, v) => s + v, 0)).toFixed(3)}`;
      out.push(fmt('mean', mean), fmt('median', median), fmt('median+tie', medianTie), `${fmt('blend+mean', blend)}  w ${[...bw].map((v) => v.toPrecision(3)).join(' ')}`);
    }
    out.push(`  ${cname}: conditional weights ${[...wts].map((v) => v.toPrecision(3)).join(' ')}, smearing ${smear.toFixed(3)}, ${ys.length} buyer rows`);
  }
  // direct: least squares of log1p(holdout spend) on the classifier's logit and the conditional's
  // inputs over all rows (buyers and not): a rank score; then LAD of spend on [1, expm1(score)]
  // (monotone, so its ranks are the score's) and the spend model's predictors + expm1(score)
  const logitOf = (p: number) => Math.log(Math.max(1e-6, p) / Math.max(1e-6, 1 - p));
  const direct = (i: ChurnInputs, pChurn: Float64Array, e: number) => [...CONDITIONALS['aov+orders+rec+ten']!(i, e), logitOf(pChurn[e]!)];
  const dRows = windows.flatMap((w) => Array.from({ length: w.y.length }, (_, e) => direct(w.inputs, w.pChurn, e)));
  const dY = Float64Array.from(windows.flatMap((w) => [...w.y].map((y) => Math.log1p(Math.max(0, y)))));
  const dd = dRows[0]!.length;
  const ols = (x: Float64Array, y: Float64Array, d: number) => lad(x, y, d, 0);
  for (const [fname, fit] of [['ols', ols], ['lad', lad]] as const) {
    const dw = fit(Float64Array.from(dRows.flat()), dY, dd);
    const scoreAt = Float64Array.from({ length: n }, (_, e) => dot(dw, direct(at, pChurnAt, e)));
    const trainScore = Float64Array.from(dRows, (r) => dot(dw, r));
    const yAll = Float64Array.from(windows.flatMap((w) => [...w.y]));
    const mono = lad(Float64Array.from([...trainScore].flatMap((s) => [1, Math.expm1(s)])), yAll, 2);
    const monoAt = scoreAt.map((s) => Math.max(0, mono[0]! + mono[1]! * Math.expm1(s)));
    const d0 = SPEND_PREDICTORS.length;
    const withScore = (inputs: ChurnInputs, score: (e: number) => number) => {
      const b = spendPredictors(inputs, H);
      const m = inputs.summary.customer.length;
      const x = new Float64Array(m * (d0 + 1));
      for (let e = 0; e < m; e++) { x.set(b.subarray(e * d0, e * d0 + d0), e * (d0 + 1)); x[e * (d0 + 1) + d0] = Math.expm1(score(e)); }
      return x;
    };
    let offset = 0;
    const trX = windows.map((w) => { const o = offset; offset += w.y.length; return withScore(w.inputs, (e) => trainScore[o + e]!); });
    const bw = lad(Float64Array.from(trX.flatMap((a) => [...a])), yAll, d0 + 1);
    const atX = withScore(at, (e) => scoreAt[e]!);
    const blend = Float64Array.from({ length: n }, (_, e) => { let s = 0; for (let j = 0; j <= d0; j++) s += atX[e * (d0 + 1) + j]! * bw[j]!; return Math.max(0, s); });
    const fmt = (name: string, pred: Float64Array) => `  direct ${fname.padEnd(4)} ${name.padEnd(22)} MAE ${meanAbsoluteError(actual, pred).toFixed(1)}  Spearman ${spearmanCorrelation(actual, pred).toFixed(3)}  total ${(pred.reduce((s, v) => s + v, 0) / actual.reduce((s, v) => s + v, 0)).toFixed(3)}`;
    out.push(`${fmt('score (rank only)', scoreAt.map(Math.expm1))}  w ${[...dw].map((v) => v.toPrecision(3)).join(' ')}`, `${fmt('LAD [1, score]', monoAt)}  w ${[...mono].map((v) => v.toPrecision(3)).join(' ')}`, `${fmt('spend model + score', blend)}  w ${[...bw].map((v) => v.toPrecision(3)).join(' ')}`);
  }
  // multiplicative: spend ≈ exp(w·[1, log P(buy), conditional inputs]) fitted by least absolute
  // deviations (smoothed |r|, BFGS) from the hurdle's own weights: never zero, so its ranks are the index's
  {
    const cond = CONDITIONALS['aov+orders+rec+ten']!;
    const rows: number[][] = [];
    const ys: number[] = [];
    for (const w of windows) for (let e = 0; e < w.y.length; e++) if (w.y[e]! > 0) { rows.push(cond(w.inputs, e)); ys.push(Math.log(w.y[e]!)); }
    const cw = lad(Float64Array.from(rows.flat()), Float64Array.from(ys), rows[0]!.length);
    const smear = ys.reduce((s, y, i) => s + Math.exp(y - dot(cw, rows[i]!)), 0) / ys.length;
    for (const [pname, pTrain, pAt] of [
      ['classifier', (k: number, e: number) => 1 - windows[k]!.pChurn[e]!, (e: number) => 1 - pChurnAt[e]!],
      ['bgnbd', (k: number, e: number) => 1 - windows[k]!.inputs.bgNbdScores.pNoPurchase[e]!, (e: number) => 1 - at.bgNbdScores.pNoPurchase[e]!],
    ] as const) {
      const z = (i: ChurnInputs, p: number, e: number) => [Math.log(Math.max(1e-6, p)), ...cond(i, e)];
      const zs = windows.flatMap((w, k) => Array.from({ length: w.y.length }, (_, e) => z(w.inputs, pTrain(k, e), e)));
      const y = windows.flatMap((w) => [...w.y]);
      const d = zs[0]!.length;
      const delta = 1;
      const objective = (wv: Float64Array, g: Float64Array) => {
        g.fill(0);
        let f = 0;
        for (let i = 0; i < zs.length; i++) {
          const r = zs[i]!;
          const pred = Math.exp(dot(wv, r));
          const res = y[i]! - pred;
          const a = Math.sqrt(res * res + delta * delta);
          f += a;
          for (let j = 0; j < d; j++) g[j]! -= (res / a) * pred * r[j]!;
        }
        return f / zs.length;
      };
      const wrap = (wv: Float64Array, g: Float64Array) => { const f = objective(wv, g); for (let j = 0; j < d; j++) g[j] = g[j]! / zs.length; return f; };
      const w0 = Float64Array.from([1, cw[0]! + Math.log(smear), ...cw.subarray(1)]);
      const res = bfgs(wrap, w0, { maxIterations: 300 });
      const predAt = Float64Array.from({ length: n }, (_, e) => Math.exp(dot(res.x, z(at, pAt(e), e))));
      out.push(`  multiplicative ${pname.padEnd(10)} MAE ${meanAbsoluteError(actual, predAt).toFixed(1)}  Spearman ${spearmanCorrelation(actual, predAt).toFixed(3)}  total ${(predAt.reduce((s, v) => s + v, 0) / actual.reduce((s, v) => s + v, 0)).toFixed(3)}  w ${[...res.x].map((v) => v.toPrecision(3)).join(' ')} (${res.reason}, ${res.iterations} it)`);
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
