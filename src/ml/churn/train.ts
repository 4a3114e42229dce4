// Training and backtest on a purchase log. The classifier learns from stacked windows that all end
// by the cutoff: features at trainCutoff − k·step (k = 0…windows−1), each labelled by the horizon
// after it. More windows give the small model more (customer, moment) examples without looking past
// the cutoff; the spend model (spend.ts) learns from the same windows what customers spent in the
// horizon. The backtest then scores customers at the cutoff and compares with the holdout.
import { ValidationError } from '../../errors.ts';
import { expectedPurchases } from '../lifetime/bg-nbd.ts';
import { DAY_MS, type PurchaseLog } from '../customers/purchase-log.ts';
import { createRng, shuffled } from '../numeric/rng.ts';
import { averagePrecision, brierScore, calibrationTable, liftAt, rocAuc, type CalibrationBin } from '../metrics/classification.ts';
import { shiftToPopulation, type PriorShift } from './calibration.ts';
import { fitChurnClassifier, scoreChurnClassifier, type ChurnClassifierFit } from './classifier.ts';
import { CHURN_FEATURE_NAMES } from './features.ts';
import { churnInputsAt, type ChurnInputs } from './inputs.ts';
import type { ChurnNetOptions, FitProgress } from './model.ts';
import { clvHoldout, type ClvHoldout } from './clv-holdout.ts';
import { fitSpendModel, predictSpend, spendPredictors, SPEND_PREDICTORS, type SpendModel } from './spend.ts';
import { churnLabels, churnWindows, spendBetween, type ChurnWindows } from './windows.ts';

export interface ChurnTrainingOptions {
  horizonDays: number;
  /** Training windows stacked at most (1 = only the window right before the cutoff); stacking stops at maxTrainingRows. */
  windows: number;
  /** Days between the stacked windows' cutoffs. */
  windowStepDays: number;
  bgNbdPenalizer: number;
  /** Stacked rows beyond this are sampled down (seeded): a model on ~14 features gains nothing from millions. */
  maxTrainingRows: number;
  validationFraction: number;
  splitSeed: number;
  /**
   * Move the calibration to the churn rate the customers at the cutoff imply (shiftToPopulation:
   * right when the rate moved by season or trend with the same kinds of customers, wrong when it
   * moved because the customers changed, which the classifier already sees). Off by default: it
   * helped Online Retail's inner windows and test and hurt the stationary synthetic shop of
   * bench/churn (bench/quality/README.md).
   */
  followBaseRate: boolean;
  net: Partial<ChurnNetOptions>;
}

export const defaultChurnTrainingOptions: ChurnTrainingOptions = {
  horizonDays: 90,
  windows: 6,
  windowStepDays: 15,
  bgNbdPenalizer: 0,
  maxTrainingRows: 50_000,
  validationFraction: 0.25,
  splitSeed: 42,
  followBaseRate: false,
  net: {},
};

export interface TrainingWindow {
  /** Features from lines before this instant; labels in [cutoff, cutoff + horizon). */
  cutoff: number;
  customers: number;
  churnRate: number;
}

export interface TrainingProgress {
  /** A training window's features and labels are ready (k of at most `max`). */
  onWindow?: (k: number, max: number) => void;
  onEpoch?: FitProgress;
}

export interface ChurnTraining {
  windows: ChurnWindows;
  trainingWindows: TrainingWindow[];
  /** The classifier (with `followBaseRate`, its calibration moved to the churn rate of the customers at the cutoff). */
  fit: ChurnClassifierFit;
  /** With `followBaseRate`: the churn rate the customers at the cutoff imply beside the calibration slice's. */
  baseRate?: PriorShift;
  /** Predicts spend in the next horizon; trained on the classifier's (sampled) stacked rows. */
  spend: SpendModel;
  options: ChurnTrainingOptions;
}

/** Fits the classifier for scoring at `cutoff` from lines before it only. */
export async function trainChurnModel(
  log: PurchaseLog,
  cutoff: number,
  options: Partial<ChurnTrainingOptions> = {},
  progress: TrainingProgress = {},
): Promise<ChurnTraining> {
  const o = { ...defaultChurnTrainingOptions, ...options } satisfies ChurnTrainingOptions;
  if (!(Number.isInteger(o.windows) && o.windows >= 1)) throw new RangeError(`windows must be a whole number ≥ 1, got ${o.windows}`);
  const windows = churnWindows(cutoff, o.horizonDays);
  const xs: Float32Array[] = [];
  const ys: Uint8Array[] = [];
  const customers: Int32Array[] = [];
  const spendX: Float64Array[] = [];
  const spendY: Float64Array[] = [];
  const trainingWindows: TrainingWindow[] = [];
  const firstPurchase = log.time.reduce((m, t) => Math.min(m, t), Infinity);
  for (let k = 0; k < o.windows; k++) {
    const c = windows.trainCutoff - k * o.windowStepDays * DAY_MS;
    // windows step back in time: once one starts before the first purchase, so do all later ones
    if (!(firstPurchase < c)) break;
    const inputs = churnInputsAt(log, c, o.horizonDays, o.bgNbdPenalizer);
    // labels end at c + horizon ≤ cutoff: nothing at or after the cutoff is read
    const y = churnLabels(log, inputs.summary.customer, c, c + o.horizonDays * DAY_MS);
    xs.push(inputs.features);
    ys.push(y);
    customers.push(inputs.summary.customer);
    spendX.push(spendPredictors(inputs, o.horizonDays));
    spendY.push(spendBetween(log, inputs.summary.customer, c, c + o.horizonDays * DAY_MS));
    trainingWindows.push({ cutoff: c, customers: y.length, churnRate: mean(y) });
    progress.onWindow?.(k + 1, o.windows);
    // windows only exist to give a small shop more examples: stop once there are enough
    if (trainingWindows.reduce((s, w) => s + w.customers, 0) >= o.maxTrainingRows) break;
  }
  if (trainingWindows.length === 0) {
    throw new ValidationError(`no customer has a purchase before ${new Date(windows.trainCutoff).toISOString()} (cutoff − horizon): not enough history to train a churn model`);
  }
  const churned = trainingWindows.reduce((s, w) => s + w.churnRate * w.customers, 0);
  const examples = trainingWindows.reduce((s, w) => s + w.customers, 0);
  if (churned === 0 || churned === examples) {
    throw new ValidationError(`every training customer ${churned === 0 ? 'bought again' : 'churned'} within the horizon: the classifier needs both outcomes`);
  }
  // the classifier and the spend model learn from the same sampled rows
  const keep = sampleIndex(examples, o.maxTrainingRows, o.splitSeed);
  const sample = { x: takeRows(concat(xs, Float32Array), CHURN_FEATURE_NAMES.length, keep), y: takeRows(concat(ys, Uint8Array), 1, keep), customer: takeRows(concat(customers, Int32Array), 1, keep) };
  // a customer's rows from different windows stay on one side of the validation split
  const fitted = await fitChurnClassifier(sample.x, sample.y, CHURN_FEATURE_NAMES, { ...o, groups: sample.customer }, progress.onEpoch);
  // the customers to be scored (features from lines before the cutoff, no label) set the base rate
  const baseRate = o.followBaseRate ? shiftToCutoff(log, cutoff, o, fitted) : undefined;
  const fit = baseRate ? { ...fitted, classifier: { ...fitted.classifier, calibration: baseRate.scaling } } : fitted;
  const spend = fitSpendModel(takeRows(concat(spendX, Float64Array), SPEND_PREDICTORS.length, keep), takeRows(concat(spendY, Float64Array), 1, keep), o.horizonDays);
  return { windows, trainingWindows, fit, ...(baseRate ? { baseRate } : {}), spend, options: o };
}

function shiftToCutoff(log: PurchaseLog, cutoff: number, o: ChurnTrainingOptions, fitted: ChurnClassifierFit): PriorShift {
  const scored = churnInputsAt(log, cutoff, o.horizonDays, o.bgNbdPenalizer);
  const { logits } = scoreChurnClassifier(fitted.classifier, scored.features, scored.summary.customer.length);
  return shiftToPopulation(fitted.classifier.calibration, logits, mean(fitted.validation.labels));
}

export interface ScoreComparison {
  score: string;
  rocAuc: number;
  prAuc: number;
  /** Only for scores that are probabilities. */
  brier: number | null;
  liftTopDecile: number;
}

export interface ChurnBacktest {
  cutoff: number;
  holdoutEnd: number;
  customers: number;
  churnRate: number;
  /** Side by side on the same customers, classifier last. */
  comparison: ScoreComparison[];
  calibration: CalibrationBin[];
  /** BG/NBD's expected repeat purchase days in the holdout against the actual count (all customers). */
  bgNbdRepeatPurchases: { predicted: number; actual: number };
  /** Spend per customer in the holdout: the spend model beside the CLV models and naive baselines. */
  clvHoldout: ClvHoldout;
  inputs: ChurnInputs;
  probability: Float64Array;
  labels: Uint8Array;
}

/** Scores customers at `training.windows.cutoff` and compares with what happened in [cutoff, holdoutEnd). */
export function backtestChurn(log: PurchaseLog, training: ChurnTraining, holdoutEnd: number): ChurnBacktest {
  const { cutoff, horizonDays } = training.windows;
  const inputs = churnInputsAt(log, cutoff, horizonDays, training.options.bgNbdPenalizer);
  const labels = churnLabels(log, inputs.summary.customer, cutoff, holdoutEnd);
  const n = labels.length;
  const scores = scoreChurnClassifier(training.fit.classifier, inputs.features, n);
  const recency = inputs.summary.daysSinceLastPurchase;
  const notAlive = inputs.bgNbdScores.pAlive.map((p) => 1 - p);
  const row = (score: string, s: ArrayLike<number>, probability: boolean): ScoreComparison => ({
    score,
    rocAuc: rocAuc(labels, s),
    prAuc: averagePrecision(labels, s),
    brier: probability ? brierScore(labels, s) : null,
    liftTopDecile: liftAt(labels, s, 0.1),
  });
  const comparison = [
    row('recency (days since last order)', recency, false),
    row('BG/NBD 1 − P(alive)', notAlive, true),
    row(`BG/NBD P(no purchase in ${horizonDays} days)`, inputs.bgNbdScores.pNoPurchase, true),
    row('constant (training churn rate)', new Float64Array(n).fill(trainingChurnRate(training)), true),
    row('retain churn classifier', scores.probability, true),
  ];
  return {
    cutoff,
    holdoutEnd,
    customers: n,
    churnRate: mean(labels),
    comparison,
    calibration: calibrationTable(labels, scores.probability, 10),
    bgNbdRepeatPurchases: repeatPurchaseCheck(log, inputs, cutoff, holdoutEnd),
    clvHoldout: spendCheck(log, training.spend, inputs, cutoff, holdoutEnd),
    inputs,
    probability: scores.probability,
    labels,
  };
}

/** Predicted E[purchase days in the holdout] summed over customers vs the distinct (customer, day) pairs that happened. */
function repeatPurchaseCheck(log: PurchaseLog, inputs: ChurnInputs, cutoff: number, holdoutEnd: number): { predicted: number; actual: number } {
  const { summary, bgNbd } = inputs;
  const t = (holdoutEnd - cutoff) / DAY_MS;
  let predicted = 0;
  for (let e = 0; e < summary.frequency.length; e++) {
    predicted += expectedPurchases(bgNbd.params, t, summary.frequency[e]!, summary.recency[e]!, summary.T[e]!);
  }
  const days = new Set<number>();
  const nDays = Math.ceil(t) + 1;
  for (let i = 0; i < log.time.length; i++) {
    const time = log.time[i]!;
    const c = log.customer[i]!;
    if (time >= cutoff && time < holdoutEnd && summary.entryOf[c]! >= 0) days.add(c * nDays + Math.floor((time - cutoff) / DAY_MS));
  }
  return { predicted, actual: days.size };
}

/**
 * Holdout spend per customer against: nothing, the spend of the same number of days before the
 * cutoff, BG/NBD × Gamma-Gamma and the spend model. Horizon-long predictions are pro-rated when the
 * data end before the horizon does.
 */
function spendCheck(log: PurchaseLog, spend: SpendModel, inputs: ChurnInputs, cutoff: number, holdoutEnd: number): ClvHoldout {
  const customers = inputs.summary.customer;
  const days = (holdoutEnd - cutoff) / DAY_MS;
  const share = days / spend.horizonDays;
  const x = spendPredictors(inputs, spend.horizonDays);
  const d = SPEND_PREDICTORS.length;
  const clvModels = Float64Array.from(customers, (_c, e) => x[e * d]! * share);
  return clvHoldout(spendBetween(log, customers, cutoff, holdoutEnd), [
    ['zero', new Float64Array(customers.length)],
    [`spend of the last ${Math.round(days)} days`, spendBetween(log, customers, cutoff - days * DAY_MS, cutoff)],
    ['BG/NBD × Gamma-Gamma', clvModels],
    ['retain spend model', predictSpend(spend, x).map((v) => v * share)],
  ], days);
}

/** Churn rate over all stacked training windows: the constant forecast a model must beat. */
function trainingChurnRate(training: ChurnTraining): number {
  let churned = 0;
  let customers = 0;
  for (const w of training.trainingWindows) {
    churned += w.churnRate * w.customers;
    customers += w.customers;
  }
  return churned / customers;
}

/** Indices of at most `max` of `rows` rows, drawn without replacement with a seeded shuffle, ascending; undefined = all rows. */
function sampleIndex(rows: number, max: number, seed: number): Int32Array | undefined {
  if (rows <= max) return undefined;
  return shuffled(Int32Array.from({ length: rows }, (_, i) => i), createRng(seed ^ 0x5bd1e995)).subarray(0, max).sort();
}

/** Rows `keep` of a row-major array `width` values wide (all of it when `keep` is undefined). */
function takeRows<T extends Float32Array | Float64Array | Uint8Array | Int32Array>(a: T, width: number, keep: Int32Array | undefined): T {
  if (!keep) return a;
  const out = new (a.constructor as new (n: number) => T)(keep.length * width);
  for (let k = 0; k < keep.length; k++) out.set(a.subarray(keep[k]! * width, keep[k]! * width + width) as never, k * width);
  return out;
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return a.length === 0 ? NaN : s / a.length;
}

function concat<T extends Float32Array | Float64Array | Uint8Array | Int32Array>(parts: T[], Ctor: new (n: number) => T): T {
  const out = new Ctor(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p as never, at);
    at += p.length;
  }
  return out;
}
