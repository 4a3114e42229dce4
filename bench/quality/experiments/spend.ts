// Spend-model experiments on inner windows only (scored at 2011-06-09 and 2011-05-10, holdouts end
// by 2011-09-09: nothing of the test window is read). Each variant is fitted on the stacked windows
// trainChurnModel uses (6 windows, 15 days apart, ending one horizon before the scoring cutoff) and
// scored by MAE and Spearman on the holdout.
//   npx tsx bench/quality/experiments/spend.ts
import { readPurchaseLog } from '../../../src/import/read-purchase-log.ts';
import { churnInputsAt, type ChurnInputs } from '../../../src/ml/churn/inputs.ts';
import { spendPredictors, SPEND_PREDICTORS } from '../../../src/ml/churn/spend.ts';
import { spendBetween } from '../../../src/ml/churn/windows.ts';
import { DAY_MS, type PurchaseLog } from '../../../src/ml/customers/purchase-log.ts';
import { leastAbsoluteDeviations as lad } from '../../../src/ml/numeric/least-absolute-deviations.ts';
import { meanAbsoluteError, spearmanCorrelation } from '../../../src/ml/metrics/regression.ts';

const H = 92;
const { log } = await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail');

const FIRST = log.time.reduce((m, t) => Math.min(m, t), Infinity);

type Columns = (inputs: ChurnInputs) => { x: Float64Array; d: number };
interface Variant { name: string; columns: Columns; logTarget?: boolean }

const base: Columns = (inputs) => ({ x: spendPredictors(inputs, H), d: SPEND_PREDICTORS.length });
const extended = (extra: ((inputs: ChurnInputs, e: number, b: Float64Array) => number)[], log1pAll = false): Columns => (inputs) => {
  const b = spendPredictors(inputs, H);
  const d0 = SPEND_PREDICTORS.length;
  const n = inputs.summary.customer.length;
  const d = d0 + extra.length;
  const x = new Float64Array(n * d);
  for (let e = 0; e < n; e++) {
    for (let j = 0; j < d0; j++) x[e * d + j] = log1pAll && j < d0 - 1 ? Math.log1p(Math.max(0, b[e * d0 + j]!)) : b[e * d0 + j]!;
    for (let j = 0; j < extra.length; j++) x[e * d + d0 + j] = extra[j]!(inputs, e, b);
  }
  return { x, d };
};
const pBuy = (i: ChurnInputs, e: number) => 1 - i.bgNbdScores.pNoPurchase[e]!;
const variants: Variant[] = [
  { name: 'base (bg×gg, last horizon, run rate, 1)', columns: base },
  { name: 'base + P(buy)×last horizon spend', columns: extended([(i, e) => pBuy(i, e) * i.trends.spendLastHorizon[e]!]) },
  { name: 'base + P(buy)×run rate', columns: extended([(i, e, b) => pBuy(i, e) * b[e * SPEND_PREDICTORS.length + 2]!]) },
  { name: 'base + P(buy)×last + P(buy)×run rate', columns: extended([(i, e) => pBuy(i, e) * i.trends.spendLastHorizon[e]!, (i, e, b) => pBuy(i, e) * b[e * SPEND_PREDICTORS.length + 2]!]) },
  { name: 'base + P(buy)×last + P(buy)×run + P(buy)', columns: extended([(i, e) => pBuy(i, e) * i.trends.spendLastHorizon[e]!, (i, e, b) => pBuy(i, e) * b[e * SPEND_PREDICTORS.length + 2]!, pBuy]) },
  { name: 'base + P(buy)×last + P(buy)×mean order value', columns: extended([(i, e) => pBuy(i, e) * i.trends.spendLastHorizon[e]!, (i, e) => pBuy(i, e) * i.summary.meanOrderValue[e]!]) },
];

function windowsData(cutoff: number, cols: Columns): { x: Float64Array; y: Float64Array; d: number } {
  const xs: Float64Array[] = [];
  const ys: Float64Array[] = [];
  let d = 0;
  for (let k = 0; k < 6; k++) {
    const c = cutoff - H * DAY_MS - k * 15 * DAY_MS;
    if (!(FIRST < c)) break;
    const inputs = cached(log, c);
    const m = cols(inputs);
    d = m.d;
    xs.push(m.x);
    ys.push(spendBetween(log, inputs.summary.customer, c, c + H * DAY_MS));
  }
  return { x: cat(xs), y: cat(ys), d };
}

const cache = new Map<number, ChurnInputs>();
function cached(log: PurchaseLog, c: number): ChurnInputs {
  let v = cache.get(c);
  if (!v) cache.set(c, (v = churnInputsAt(log, c, H)));
  return v;
}

for (const cutoff of [Date.parse('2011-06-09T00:00:00Z'), Date.parse('2011-05-10T00:00:00Z')]) {
  const inputs = cached(log, cutoff);
  const actual = spendBetween(log, inputs.summary.customer, cutoff, cutoff + H * DAY_MS);
  process.stdout.write(`scored at ${new Date(cutoff).toISOString().slice(0, 10)}: ${actual.length} customers\n`);
  const b0 = spendPredictors(inputs, H);
  const pb = (e: number) => pBuy(inputs, e);
  const ranks: [string, (e: number) => number][] = [
    ['P(buy) × run rate', (e) => pb(e) * b0[e * SPEND_PREDICTORS.length + 2]!],
    ['P(buy) × last horizon', (e) => pb(e) * b0[e * SPEND_PREDICTORS.length + 1]!],
    ['P(buy) × (run rate + last horizon)', (e) => pb(e) * (b0[e * SPEND_PREDICTORS.length + 2]! + b0[e * SPEND_PREDICTORS.length + 1]!)],
    ['P(buy) × mean order value', (e) => pb(e) * inputs.summary.meanOrderValue[e]!],
    ['E[purchases] × mean order value', (e) => inputs.bgNbdScores.expectedPurchases[e]! * inputs.summary.meanOrderValue[e]!],
    ['E[purchases] × run rate', (e) => inputs.bgNbdScores.expectedPurchases[e]! * b0[e * SPEND_PREDICTORS.length + 2]!],
  ];
  for (const [name, f] of ranks) process.stdout.write(`  rank only: ${name.padEnd(40)} Spearman ${spearmanCorrelation(actual, Float64Array.from({ length: actual.length }, (_, e) => f(e))).toFixed(3)}\n`);
  for (const v of variants) {
    const tr = windowsData(cutoff, v.columns);
    const y = v.logTarget ? tr.y.map((s) => Math.log1p(Math.max(0, s))) : tr.y;
    const w = lad(tr.x, y, tr.d);
    const te = v.columns(inputs);
    const raw = new Float64Array(actual.length);
    for (let e = 0; e < raw.length; e++) {
      let s = 0;
      for (let j = 0; j < te.d; j++) s += te.x[e * te.d + j]! * w[j]!;
      raw[e] = s;
    }
    const pred = raw.map((s) => (v.logTarget ? Math.expm1(Math.max(0, s)) : Math.max(0, s)));
    const zeros = pred.filter((p) => p === 0).length / pred.length;
    process.stdout.write(`  ${v.name.padEnd(58)} MAE ${meanAbsoluteError(actual, pred).toFixed(1)}  Spearman ${spearmanCorrelation(actual, pred).toFixed(3)}  unclipped ${spearmanCorrelation(actual, raw).toFixed(3)}  zeros ${zeros.toFixed(2)}  w ${[...w].map((a) => a.toPrecision(3)).join(' ')}\n`);
  }
}

function cat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
