// The churn classifier end to end on feature matrices: split a validation slice off the training
// customers (whole customers: a customer's rows from several stacked windows stay on one side, or
// early stopping and calibration would be judged on near-copies of training rows), standardise on
// the rest, fit the network ensemble with early stopping on the slice, calibrate its logits on the
// same slice (Platt), then score any feature matrix.
import { createRng, shuffled } from '../numeric/rng.ts';
import { calibrate, fitPlattScaling, type PlattScaling } from './calibration.ts';
import { fitStandardizer, standardize, type Standardizer } from './features.ts';
import { churnNetLogits, defaultChurnNetOptions, fitChurnNet, type ChurnDataset, type ChurnNet, type ChurnNetOptions, type FitProgress } from './model.ts';

export interface ChurnClassifierOptions {
  /** Share of training customers held out for early stopping and calibration. */
  validationFraction: number;
  /** Seed of the validation split; the network seeds are in `net.seeds`. */
  splitSeed: number;
  net: ChurnNetOptions;
}

export const defaultChurnClassifierOptions: ChurnClassifierOptions = {
  validationFraction: 0.25,
  splitSeed: 42,
  net: defaultChurnNetOptions,
};

export interface ChurnClassifier {
  featureNames: readonly string[];
  standardizer: Standardizer;
  net: ChurnNet;
  calibration: PlattScaling;
}

export interface ChurnClassifierFit {
  classifier: ChurnClassifier;
  fitRows: number;
  validationRows: number;
  /** Calibrated probabilities of the validation customers, with their labels (for the report). */
  validation: { labels: Uint8Array; probability: Float64Array };
}

/**
 * Trains on raw features `x` (rows × featureNames.length) with labels `y` (1 = churned). `groups`
 * names each row's customer (default: every row its own); the validation slice takes whole groups.
 */
export async function fitChurnClassifier(
  x: Float32Array,
  y: Uint8Array,
  featureNames: readonly string[],
  options: { validationFraction?: number; splitSeed?: number; net?: Partial<ChurnNetOptions>; groups?: Int32Array } = {},
  onEpoch?: FitProgress,
): Promise<ChurnClassifierFit> {
  const o = { ...defaultChurnClassifierOptions, ...options, net: { ...defaultChurnNetOptions, ...options.net } } satisfies ChurnClassifierOptions;
  const d = featureNames.length;
  const rows = y.length;
  if (x.length !== rows * d) throw new RangeError(`expected ${rows} × ${d} features, got ${x.length} values`);
  if (!(o.validationFraction > 0 && o.validationFraction < 1)) throw new RangeError(`validationFraction must be in (0, 1), got ${o.validationFraction}`);
  if (options.groups && options.groups.length !== rows) throw new RangeError(`expected ${rows} groups, got ${options.groups.length}`);
  const { fitIdx, valIdx } = splitByGroup(options.groups ?? Int32Array.from({ length: rows }, (_, i) => i), o.validationFraction, o.splitSeed);
  const fitRaw = takeRows(x, d, fitIdx);
  const standardizer = fitStandardizer(fitRaw, fitIdx.length, d);
  const fitSet: ChurnDataset = { x: standardize(standardizer, fitRaw), y: takeLabels(y, fitIdx), rows: fitIdx.length, columns: d };
  const valSet: ChurnDataset = { x: standardize(standardizer, takeRows(x, d, valIdx)), y: takeLabels(y, valIdx), rows: valIdx.length, columns: d };
  const net = await fitChurnNet(fitSet, valSet, o.net, onEpoch);
  const valLogits = churnNetLogits(net, valSet.x, valSet.rows);
  const calibration = fitPlattScaling(valLogits, valSet.y);
  return {
    classifier: { featureNames, standardizer, net, calibration },
    fitRows: fitSet.rows,
    validationRows: valSet.rows,
    validation: { labels: valSet.y, probability: calibrate(calibration, valLogits) },
  };
}

export interface ChurnScores {
  /** Standardised features, kept for the reasons. */
  standardized: Float32Array;
  logits: Float32Array;
  /** Calibrated P(churn) per row. */
  probability: Float64Array;
}

export function scoreChurnClassifier(classifier: ChurnClassifier, x: Float32Array, rows: number): ChurnScores {
  const standardized = standardize(classifier.standardizer, x);
  const logits = churnNetLogits(classifier.net, standardized, rows);
  return { standardized, logits, probability: calibrate(classifier.calibration, logits) };
}

/** Seeded split of the rows: the groups are shuffled and the first `fraction` of them (at least one) validate. */
export function splitByGroup(groups: Int32Array, fraction: number, seed: number): { fitIdx: Int32Array; valIdx: Int32Array } {
  const distinct = Int32Array.from(new Set(groups)).sort();
  if (distinct.length < 2) throw new RangeError('at least two customers are needed to split off a validation slice');
  const order = shuffled(distinct, createRng(seed));
  const validating = new Set(order.subarray(0, Math.min(distinct.length - 1, Math.max(1, Math.round(distinct.length * fraction)))));
  const fit: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < groups.length; i++) (validating.has(groups[i]!) ? val : fit).push(i);
  return { fitIdx: Int32Array.from(fit), valIdx: Int32Array.from(val) };
}

function takeRows(x: Float32Array, d: number, idx: Int32Array): Float32Array {
  const out = new Float32Array(idx.length * d);
  for (let k = 0; k < idx.length; k++) out.set(x.subarray(idx[k]! * d, idx[k]! * d + d), k * d);
  return out;
}

function takeLabels(y: Uint8Array, idx: Int32Array): Uint8Array {
  return Uint8Array.from(idx, (i) => y[i]!);
}
