// Churn-classifier experiments on inner windows only: scored at 2011-06-09 and 2011-05-10 with a
// 92-day horizon, so every label read ends by 2011-09-09 (the test cutoff). Each variant changes
// the training options of `retain train churn`; "+ BG/NBD" rows average the classifier's logit with
// BG/NBD's logit P(no purchase) at the given weight (no refit); "follow" moves the calibration to
// the churn rate the customers at the cutoff imply (followBaseRate).
//   npx tsx bench/quality/experiments/churn.ts [--variants name,name]
import { parseArgs } from 'node:util';
import { readPurchaseLog } from '../../../src/import/read-purchase-log.ts';
import { backtestChurn, trainChurnModel, type ChurnTrainingOptions } from '../../../src/ml/churn/train.ts';
import { DAY_MS } from '../../../src/ml/customers/purchase-log.ts';
import { averagePrecision, brierScore, rocAuc } from '../../../src/ml/metrics/classification.ts';
import { initTf } from '../../../src/ml/numeric/tf.ts';

const VARIANTS: Record<string, Partial<ChurnTrainingOptions>> = {
  default: {},
  logistic: { net: { hiddenUnits: 0 } },
  hidden16: { net: { hiddenUnits: 16 } },
  l2small: { net: { l2: 0.001 } },
  step7: { windows: 12, windowStepDays: 7 },
  unbalanced: { net: { balanceClasses: false } },
  windows1: { windows: 1 },
  windows3: { windows: 3 },
  follow: { followBaseRate: true },
};
const { values } = parseArgs({ options: { variants: { type: 'string', default: Object.keys(VARIANTS).join(',') } } });
const H = 92;
await initTf();
const { log } = await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail');
const logit = (p: number) => Math.log(Math.min(1 - 1e-6, Math.max(1e-6, p)) / (1 - Math.min(1 - 1e-6, Math.max(1e-6, p))));
const sig = (z: number) => 1 / (1 + Math.exp(-z));
const logLoss = (y: Uint8Array, p: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < y.length; i++) s -= Math.log(Math.min(1 - 1e-12, Math.max(1e-12, y[i] ? p[i]! : 1 - p[i]!)));
  return s / y.length;
};
for (const name of values.variants.split(',')) {
  for (const day of ['2011-06-09', '2011-05-10']) {
    const cutoff = Date.parse(`${day}T00:00:00Z`);
    const started = performance.now();
    const training = await trainChurnModel(log, cutoff, { horizonDays: H, ...VARIANTS[name] });
    const b = backtestChurn(log, training, cutoff + H * DAY_MS);
    const line = (label: string, p: ArrayLike<number>) =>
      `${name.padEnd(11)} ${day}  ${label.padEnd(18)} ROC ${rocAuc(b.labels, p).toFixed(4)}  PR ${averagePrecision(b.labels, p).toFixed(4)}  Brier ${brierScore(b.labels, p).toFixed(4)}  log-loss ${logLoss(b.labels, p).toFixed(4)}`;
    const r = training.baseRate;
    const out = [...(r ? [`${name.padEnd(11)} ${day}  base rate: slice ${r.calibratedRate.toFixed(3)}, customers at the cutoff ${r.populationRate.toFixed(3)}`] : []), line('classifier', b.probability)];
    for (const w of [0.25, 0.5, 0.75, 1]) {
      const mixed = b.probability.map((p, i) => sig((1 - w) * logit(p) + w * logit(b.inputs.bgNbdScores.pNoPurchase[i]!)));
      out.push(line(`+ BG/NBD ${w}`, mixed));
    }
    process.stdout.write(`${out.join('\n')}  (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  }
}

