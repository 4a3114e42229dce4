// The spend model: what a customer will spend in the next horizon, max(0, a linear combination of
// four predictors every shop has plus an intercept), fitted by least absolute deviations (the
// criterion the holdout MAE judges) on the same stacked earlier windows as the churn classifier:
//   BG/NBD E[purchase days in the horizon] × Gamma-Gamma E[value per purchase day]  (the CLV models),
//   spend in the last horizon                                                       (recent value),
//   total spend per horizon of tenure, tenure counted as at least one horizon        (run rate),
//   BG/NBD P(any purchase in the horizon) × run rate                                (a hurdle term:
//     whether they buy at all, times what they spend per horizon when they do business).
// The weights say how much each is worth on this shop, instead of a constant tuned on one shop; a
// negative intercept lets the model predict nothing for customers whose predictors are small.
import { leastAbsoluteDeviations } from '../numeric/least-absolute-deviations.ts';
import { expectedAverageValue, fitGammaGamma } from '../lifetime/gamma-gamma.ts';
import { tenureDays } from './features.ts';
import type { ChurnInputs } from './inputs.ts';

export const SPEND_PREDICTORS = ['bgnbd_gamma_gamma', 'spend_last_horizon', 'spend_per_horizon_of_tenure', 'bgnbd_p_purchase_x_run_rate', 'intercept'] as const;

export interface SpendModel {
  /** One weight per SPEND_PREDICTORS entry; the prediction is max(0, Σ wⱼ·xⱼ). */
  readonly weights: Float64Array;
  readonly horizonDays: number;
}

/** Row-major n × SPEND_PREDICTORS.length for the customers of `inputs` (money units per horizon; intercept 1). */
export function spendPredictors(inputs: Pick<ChurnInputs, 'summary' | 'trends' | 'bgNbdScores'>, horizonDays: number): Float64Array {
  const { summary, trends, bgNbdScores } = inputs;
  const n = summary.customer.length;
  // Gamma-Gamma learns from repeat customers only; a history without any leaves it unfitted
  const gammaGamma = summary.frequency.some((x) => x > 0) ? fitGammaGamma(summary) : undefined;
  const d = SPEND_PREDICTORS.length;
  const x = new Float64Array(n * d);
  for (let e = 0; e < n; e++) {
    const value = gammaGamma ? expectedAverageValue(gammaGamma.params, summary.frequency[e]!, summary.monetary[e]!) : Number.NaN;
    // no fit, or q ≤ 1 (the population mean spend is undefined): the customer's own mean order value stands in
    x[e * d] = bgNbdScores.expectedPurchases[e]! * (Number.isFinite(value) ? value : summary.meanOrderValue[e]!);
    const runRate = (summary.totalValue[e]! * horizonDays) / Math.max(tenureDays(summary, e), horizonDays);
    x[e * d + 1] = trends.spendLastHorizon[e]!;
    x[e * d + 2] = runRate;
    x[e * d + 3] = (1 - bgNbdScores.pNoPurchase[e]!) * runRate;
    x[e * d + 4] = 1;
  }
  return x;
}

/** argmin_w Σ |yᵢ − xᵢ·w| (least-absolute-deviations.ts); `x` row-major n × SPEND_PREDICTORS.length. */
export function fitSpendModel(x: Float64Array, y: Float64Array, horizonDays: number): SpendModel {
  const d = SPEND_PREDICTORS.length;
  if (x.length !== y.length * d) throw new RangeError(`expected ${y.length} × ${d} predictors, got ${x.length} values`);
  if (y.length === 0) throw new RangeError('no rows to fit the spend model on');
  return { weights: leastAbsoluteDeviations(x, y, d), horizonDays };
}

/** max(0, x·w) per row: predicted spend in the next `model.horizonDays`. */
export function predictSpend(model: SpendModel, x: Float64Array): Float64Array {
  const d = model.weights.length;
  const out = new Float64Array(x.length / d);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j]! * model.weights[j]!;
    out[i] = Math.max(0, s);
  }
  return out;
}
