// How a model is validated inside its training data, so that selection is judged the way the model
// will be: a shop evaluated on a later time window is validated on later windows ("time"), one
// evaluated on a random holdout is validated on random holdouts of the same shape ("random").
// Several folds (windows, or repeated holdouts) give each candidate a mean and a spread, and the
// per-customer scores give the noise of a difference between two candidates (one-standard-error
// rule: of the candidates the leader does not beat by more than that, selection keeps the default
// family's, else the one with the fewest parts).
import { DAY_MS, type PurchaseLog } from '../customers/purchase-log.ts';
import { splitByTime } from '../customers/split.ts';
import { holdoutShape, splitRandomHoldout, type Stratum } from '../customers/random-split.ts';

export type ValidationMode = 'time' | 'random';

export type ValidationPlan =
  | {
      mode: 'time';
      /** The latest fold validates on [innerCutoff, end of train); earlier folds shift back by `stepDays`. */
      innerCutoff: number;
      stepDays: number;
      folds: number;
    }
  | { mode: 'random'; fraction: number; stratum: Stratum; folds: number; seed: number };

export interface Fold {
  label: string;
  train: PurchaseLog;
  validation: PurchaseLog;
}

/** The folds of a plan, latest (or first) first; inputs are never mutated. */
export function validationFolds(log: PurchaseLog, plan: ValidationPlan): Fold[] {
  if (!(plan.folds >= 1)) throw new RangeError(`need at least one fold, got ${plan.folds}`);
  const end = log.time.reduce((a, b) => Math.max(a, b), -Infinity) + 1;
  return Array.from({ length: plan.folds }, (_, f): Fold => {
    if (plan.mode === 'time') {
      const shift = f * plan.stepDays * DAY_MS;
      const cutoff = plan.innerCutoff - shift;
      const { train, test } = splitByTime(log, cutoff, end - shift);
      return { label: `time [${day(cutoff)}, ${day(end - shift)})`, train, validation: test };
    }
    const { train, test } = splitRandomHoldout(log, { fraction: plan.fraction, stratum: plan.stratum, seed: plan.seed + f });
    return { label: `random ${Math.round(plan.fraction * 100)}% of the pairs${plan.stratum === 'none' ? '' : ` per ${plan.stratum}`}, seed ${plan.seed + f}`, train, validation: test };
  });
}

export type ValidationChoice = ValidationMode | 'auto';

export interface PlanOptions {
  /** 'auto': time windows when the test is later than the train, else random holdouts. */
  mode: ValidationChoice;
  folds: number;
  /** Validation window length (time folds shift back by half of it). */
  windowDays: number;
  /** Start of the latest time window (ms); default: `windowDays` before the end of train. */
  innerCutoff?: number;
  seed: number;
}

/**
 * The validation a train/test pair calls for, and why: time windows ending where the train ends,
 * or random holdouts with the test's share of pairs and its stratum (holdoutShape).
 */
export function planFor(train: PurchaseLog, test: PurchaseLog, options: PlanOptions): { plan: ValidationPlan; reason: string } {
  const shape = holdoutShape(train, test);
  const mode = options.mode === 'auto' ? (shape.later ? 'time' : 'random') : options.mode;
  const why = options.mode !== 'auto' ? `asked for (${mode})` : shape.later ? 'the test lines come after the training lines in time' : 'the test is not later in time than the train';
  if (mode === 'time') {
    const end = train.time.reduce((a, b) => Math.max(a, b), -Infinity);
    if (!(end > 0)) throw new RangeError('time validation needs timestamps in the training data');
    const innerCutoff = options.innerCutoff ?? Math.floor(end / DAY_MS) * DAY_MS - (options.windowDays - 1) * DAY_MS;
    return { plan: { mode, innerCutoff, stepDays: Math.round(options.windowDays / 2), folds: options.folds }, reason: why };
  }
  // a time split's test has no random shape: then hold out a quarter of each customer's pairs
  const fraction = shape.later ? 0.25 : Math.min(0.5, Math.max(0.05, shape.fraction));
  const stratum = shape.later ? 'customer' : shape.stratum;
  const described = `${(fraction * 100).toFixed(1)}% of the pairs, ${stratum === 'none' ? 'not stratified' : `stratified per ${stratum}`}`;
  return { plan: { mode, fraction, stratum, folds: options.folds, seed: options.seed }, reason: `${why}: random holdouts of ${described}` };
}

/** A candidate's validation score: nDCG@k per fold and per validation customer of each fold. */
export interface FoldScores {
  /** perUser[f][j] = nDCG@k of fold f's j-th validation customer. */
  perUser: Float64Array[];
}

export interface ScoreSummary {
  /** Mean over folds of the fold's mean nDCG@k. */
  mean: number;
  /** Sample standard deviation of the fold means (0 with one fold). */
  spread: number;
  perFold: number[];
}

export function summarise(scores: FoldScores): ScoreSummary {
  const perFold = scores.perUser.map(mean);
  const m = mean(perFold);
  const spread = perFold.length > 1 ? Math.sqrt(perFold.reduce((s, v) => s + (v - m) ** 2, 0) / (perFold.length - 1)) : 0;
  return { mean: m, spread, perFold };
}

/**
 * The mean per-customer difference a - b over every fold's customers and its standard error
 * (the two candidates must have been scored on the same folds, customers in the same order).
 */
export function pairedDifference(a: FoldScores, b: FoldScores): { difference: number; standardError: number } {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  a.perUser.forEach((users, f) => {
    const other = b.perUser[f]!;
    if (other.length !== users.length) throw new RangeError(`fold ${f}: ${users.length} vs ${other.length} customers`);
    for (let j = 0; j < users.length; j++) {
      const d = users[j]! - other[j]!;
      n++;
      sum += d;
      sumSq += d * d;
    }
  });
  if (n < 2) return { difference: n === 1 ? sum : 0, standardError: Infinity };
  const difference = sum / n;
  const variance = (sumSq - n * difference * difference) / (n - 1);
  return { difference, standardError: Math.sqrt(Math.max(0, variance) / n) };
}

/** One-standard-error rule: a challenger replaces the default only when it is better by more than the noise. */
export function beatsBeyondNoise(challenger: FoldScores, defaultScores: FoldScores): boolean {
  const { difference, standardError } = pairedDifference(challenger, defaultScores);
  return difference > standardError;
}

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < values.length; j++) s += values[j]!;
  return values.length === 0 ? 0 : s / values.length;
}

function day(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}
