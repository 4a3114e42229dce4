// The whole churn pipeline on the bundled Online Retail data, REFERENCE.md §2 protocol: scored at
// 2011-09-09, horizon 92 days (to the end of the data), trained on windows that end by the cutoff.
import { beforeAll, describe, it, expect } from 'vitest';
import { readPurchaseLog } from '../../../src/import/read-purchase-log.ts';
import { backtestChurn, trainChurnModel, type ChurnBacktest, type ChurnTraining } from '../../../src/ml/churn/train.ts';
import { scoreChurnClassifier } from '../../../src/ml/churn/classifier.ts';
import { formatClvHoldout } from '../../../src/ml/churn/clv-holdout.ts';
import { DAY_MS, sliceByTime, type PurchaseLog } from '../../../src/ml/customers/purchase-log.ts';
import { initTf } from '../../../src/ml/numeric/tf.ts';

const CUTOFF = Date.parse('2011-09-09T00:00:00Z');
const HOLDOUT_END = Date.parse('2011-12-10T00:00:00Z');
const OPTIONS = { horizonDays: 92, windows: 4, windowStepDays: 30, net: { hiddenUnits: 8, l2: 1e-3, seeds: [1, 2] } };

let log: PurchaseLog;
let training: ChurnTraining;
let backtest: ChurnBacktest;

beforeAll(async () => {
  await initTf();
  log = (await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail')).log;
  training = await trainChurnModel(log, CUTOFF, OPTIONS);
  backtest = backtestChurn(log, training, HOLDOUT_END);
}, 600_000); // two cores shared by several jobs: training alone can take minutes

const row = (name: string) => backtest.comparison.find((c) => c.score.startsWith(name))!;

describe('churn backtest on Online Retail', () => {
  it('scores the protocol customers against the protocol labels', () => {
    expect(backtest.customers).toBe(3362);
    expect(backtest.churnRate).toBeCloseTo(0.4286, 4);
  });

  it('beats recency and BG/NBD on ROC AUC and PR AUC, and the constant forecast and BG/NBD on Brier', () => {
    const model = row('retain churn classifier');
    const recency = row('recency');
    const bgNbd = row('BG/NBD P(no purchase');
    const constant = row('constant');
    expect(model.rocAuc).toBeGreaterThan(bgNbd.rocAuc);
    expect(model.rocAuc).toBeGreaterThan(recency.rocAuc);
    expect(model.prAuc).toBeGreaterThan(bgNbd.prAuc);
    expect(model.brier!).toBeLessThan(bgNbd.brier!);
    expect(model.brier!).toBeLessThan(constant.brier!);
  });

  it('reproduces the BG/NBD reference fit at the cutoff and reports holdout purchase days', () => {
    // REFERENCE.md: r 0.7228, α 66.009, dropout running to zero; 4,510 actual purchase-days
    expect(backtest.inputs.bgNbd.params.r).toBeCloseTo(0.7228, 3);
    expect(backtest.inputs.bgNbd.params.alpha).toBeCloseTo(66.009, 1);
    expect(backtest.bgNbdRepeatPurchases.actual).toBe(4510);
    expect(backtest.bgNbdRepeatPurchases.predicted).toBeGreaterThan(3000);
  });

  it('with followBaseRate, moves only the calibration intercept, to the churn rate the customers at the cutoff imply', async () => {
    expect(training.baseRate).toBeUndefined();
    const following = await trainChurnModel(log, CUTOFF, { ...OPTIONS, followBaseRate: true });
    const shift = following.baseRate!;
    const v = following.fit.validation.labels;
    expect(shift.calibratedRate).toBeCloseTo(v.reduce((s, y) => s + y, 0) / v.length, 12);
    expect(shift.populationRate).toBeGreaterThan(0.3);
    expect(shift.populationRate).toBeLessThan(0.6);
    expect(following.fit.classifier.calibration).toEqual(shift.scaling);
    expect(shift.scaling.slope).toBe(training.fit.classifier.calibration.slope);
    // the same network (same seeds and rows): the backtest's customers, scored, average to the EM's fixed point
    const p = backtestChurn(log, following, HOLDOUT_END).probability;
    expect(p.reduce((s, q) => s + q, 0) / p.length).toBeCloseTo(shift.populationRate, 6);
  }, 600_000);

  it('gives probabilities in [0, 1] and a calibration table covering every customer', () => {
    expect(backtest.probability.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(backtest.calibration.reduce((s, b) => s + b.count, 0)).toBe(3362);
  });

  it('never reads a line at or after the cutoff while training (no label leakage), and is reproducible', async () => {
    for (const w of training.trainingWindows) expect(w.cutoff + 92 * DAY_MS).toBeLessThanOrEqual(CUTOFF);
    // Same seeds on the log cut at the cutoff: identical model, so nothing after the cutoff was used.
    const blind = await trainChurnModel(sliceByTime(log, -Infinity, CUTOFF), CUTOFF, OPTIONS);
    const n = backtest.customers;
    const again = scoreChurnClassifier(blind.fit.classifier, backtest.inputs.features, n).probability;
    expect(Array.from(again)).toEqual(Array.from(backtest.probability));
    expect(Array.from(blind.spend.weights)).toEqual(Array.from(training.spend.weights));
  }, 600_000);

  it('prints the holdout spend block: naive baselines and BG/NBD × Gamma-Gamma reproduce REFERENCE.md', () => {
    const c = backtest.clvHoldout;
    const get = (name: string) => c.rows.find((r) => r.predictor.startsWith(name))!;
    expect(c.days).toBe(92);
    expect(c.actualTotal).toBeCloseTo(2_870_995.19, 2);
    // REFERENCE.md: zero MAE 854.0; spend of the previous 92 days MAE 660.2, total 0.67 of actual
    expect(get('zero').mae.toFixed(1)).toBe('854.0');
    expect(get('spend of the last 92 days').mae.toFixed(1)).toBe('660.2');
    expect((get('spend of the last 92 days').predictedTotal / c.actualTotal).toFixed(2)).toBe('0.67');
    // lifetimes' BG/NBD × Gamma-Gamma: MAE 641.1, Spearman 0.513, 1,603,346 predicted
    const clv = get('BG/NBD × Gamma-Gamma');
    expect(clv.mae.toFixed(1)).toBe('641.1');
    expect(clv.spearman.toFixed(3)).toBe('0.513');
    expect(clv.predictedTotal / 1_603_346).toBeCloseTo(1, 3);
    const spend = get('retain spend model');
    expect(spend.mae).toBeLessThan(clv.mae);
    expect(spend.spearman).toBeGreaterThan(0.45);
    expect(spend.spearman).toBeLessThan(0.7);
    const text = formatClvHoldout(c);
    expect(text).toContain('customer value in the holdout (92 days)');
    expect(text).toMatch(/zero\s+854\.0\s+—\s+0\.000/);
  });
});
