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

export function calibrate(scaling: PlattScaling, logits: Float32Array): Float64Array {
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = sigmoid(scaling.slope * logits[i]! + scaling.intercept);
  return out;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
