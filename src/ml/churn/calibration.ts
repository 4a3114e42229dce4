// Platt scaling (Platt 1999, "Probabilistic outputs for support vector machines"): the churn
// probability is P(churn | z) = σ(A·z + B), with z the network's logit and A, B fitted by maximum
// likelihood on a validation slice the network was not trained on. Platt's target smoothing
// (y₊ = (n₊+1)/(n₊+2), y₋ = 1/(n₋+2)) keeps A, B finite when the slice is perfectly separable.

export interface PlattScaling {
  /** Slope on the logit (A in Platt's paper). */
  slope: number;
  /** Intercept (B); shifts the base rate. */
  intercept: number;
}

/** Fits A, B by Newton's method on the smoothed log-loss of σ(A·z + B). */
export function fitPlattScaling(logits: ArrayLike<number>, labels: ArrayLike<number>): PlattScaling {
  const n = logits.length;
  if (n === 0 || labels.length !== n) throw new RangeError(`need equal, non-empty logits and labels (got ${n} and ${labels.length})`);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i]!;
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (n - positives + 2);
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 100; iter++) {
    // gradient g and Hessian H of Σ −t·log p − (1−t)·log(1−p) with p = σ(a·z + b)
    let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
    for (let i = 0; i < n; i++) {
      const z = logits[i]!;
      const p = sigmoid(a * z + b);
      const r = p - (labels[i] === 1 ? hi : lo);
      const w = Math.max(p * (1 - p), 1e-12);
      ga += r * z;
      gb += r;
      haa += w * z * z;
      hab += w * z;
      hbb += w;
    }
    haa += 1e-9;
    hbb += 1e-9;
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-10 && Math.abs(db) < 1e-10) break;
  }
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new RangeError('Platt scaling did not converge');
  return { slope: a, intercept: b };
}

/** The churn rate a population's probabilities imply, and the scaling shifted to it. */
export interface PriorShift {
  /** Churn rate the scaling was calibrated at (its validation slice). */
  calibratedRate: number;
  /** Churn rate estimated for the unlabelled population. */
  populationRate: number;
  scaling: PlattScaling;
}

/**
 * Adapts calibrated probabilities to a population whose churn rate differs from the calibration
 * slice's (the classifier learns on earlier windows: a season or a trend moves the base rate) by
 * the EM of Saerens, Latinne & Decaestecker (2002), "Adjusting the outputs of a classifier to new a
 * priori probabilities": with π₀ the calibrated rate and π the current estimate, each probability
 * becomes p' = (π/π₀)·p / ((π/π₀)·p + ((1−π)/(1−π₀))·(1−p)) and π ← mean p', to a fixed point.
 * p' is σ(logit p + log-odds(π) − log-odds(π₀)), so the result is the same scaling with its
 * intercept moved: a monotone change that leaves every ranking (ROC AUC, PR AUC) as it was.
 * Reads no labels: only the features of the customers to be scored.
 */
export function shiftToPopulation(scaling: PlattScaling, logits: Float32Array, calibratedRate: number): PriorShift {
  if (!(calibratedRate > 0 && calibratedRate < 1)) throw new RangeError(`calibrated churn rate must be in (0, 1), got ${calibratedRate}`);
  if (logits.length === 0) throw new RangeError('no customers to estimate the churn rate of');
  const p = calibrate(scaling, logits);
  const logOdds = (q: number): number => Math.log(q / (1 - q));
  let rate = calibratedRate;
  for (let iter = 0; iter < 1000; iter++) {
    const a = rate / calibratedRate;
    const b = (1 - rate) / (1 - calibratedRate);
    let sum = 0;
    for (let i = 0; i < p.length; i++) sum += (a * p[i]!) / (a * p[i]! + b * (1 - p[i]!));
    const next = Math.min(1 - 1e-6, Math.max(1e-6, sum / p.length));
    const done = Math.abs(next - rate) < 1e-10;
    rate = next;
    if (done) break;
  }
  return { calibratedRate, populationRate: rate, scaling: { slope: scaling.slope, intercept: scaling.intercept + logOdds(rate) - logOdds(calibratedRate) } };
}

export function calibrate(scaling: PlattScaling, logits: Float32Array): Float64Array {
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = sigmoid(scaling.slope * logits[i]! + scaling.intercept);
  return out;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
