// One customer score row per customer with a purchase before as_of: calibrated churn probability
// and risk tier from the trained classifier, P(alive), expected purchases and next-order date from
// BG/NBD, CLV from BG/NBD × Gamma-Gamma, RFM scores and segment, top reasons. The full run
// (src/jobs/score-customers.ts) fits the population parameters on everyone; the live scorer
// (live-scores.ts) scores a few customers against a run's parameters with the same function.
import type { ChurnModel } from '../artifacts/codecs/churn.ts';
import type { ScoreRow } from '../db/queries/customer-scores-replace.ts';
import type { ScoreReason, ScoringPopulation } from '../db/schema/index.ts';
import { ValidationError } from '../errors.ts';
import { scoreChurnClassifier } from '../ml/churn/classifier.ts';
import { CHURN_FEATURE_GROUPS, CHURN_FEATURE_NAMES, tenureDays, type ReasonGroup } from '../ml/churn/features.ts';
import { churnInputsAt, churnInputsWith, type ChurnInputsWith } from '../ml/churn/inputs.ts';
import { topChurnReasons } from '../ml/churn/reasons.ts';
import type { CustomerTrends } from '../ml/churn/trends.ts';
import { customerValues, type ClvOptions } from '../ml/lifetime/clv.ts';
import { fitGammaGamma } from '../ml/lifetime/gamma-gamma.ts';
import type { PurchaseLog } from '../ml/customers/purchase-log.ts';
import { rfmBoundaries, rfmSegments, SEGMENTS } from '../ml/customers/rfm.ts';
import type { CustomerSummary } from '../ml/customers/summary.ts';

/** Risk tiers on the calibrated probability: high > 0.7, medium 0.4–0.7, low < 0.4. */
export function riskTier(probability: number): ScoreRow['riskTier'] {
  return probability > 0.7 ? 'high' : probability >= 0.4 ? 'medium' : 'low';
}

export interface ScoringOptions {
  /** CLV horizon, days (discounted monthly at `clv.discountRate`). */
  clvDays: number;
  clvDiscountRate: number;
  /** Reasons stored per customer. */
  reasons: number;
}

export const defaultScoringOptions: ScoringOptions = { clvDays: 365, clvDiscountRate: 0.01, reasons: 3 };

export interface CustomerScoreTable {
  asOf: number;
  /** External customer ids, row by row. */
  customerIds: string[];
  rows: number;
  row(i: number): ScoreRow;
  riskCounts: Record<ScoreRow['riskTier'], number>;
  /** The population parameters the rows were computed with (fitted here, or given). */
  population: ScoringPopulation;
  /** Customers of the log with no line before as_of, so without a row. */
  unscored: { externalId: string; purchaseLines: number }[];
}

/**
 * Scores the customers with a purchase before `asOf` (ms UTC) from the lines before it. Without
 * `population`, BG/NBD, Gamma-Gamma and the RFM boundaries are fitted on the log (a full run);
 * with it, each customer is scored against that population (the live scorer, on a log holding
 * only the customers it re-scores). A row is a function of the customer's own lines, the model and
 * the population only, so both give a customer the same row. Each row's version (purchaseLines)
 * counts all of the customer's lines in the log, also those at or after as_of.
 */
export function scoreCustomers(log: PurchaseLog, model: ChurnModel, asOf: number, options: Partial<ScoringOptions> = {}, given?: ScoringPopulation): CustomerScoreTable {
  const o = { ...defaultScoringOptions, ...options } satisfies ScoringOptions;
  const trained = model.classifier.featureNames;
  if (trained.join(',') !== CHURN_FEATURE_NAMES.join(',')) {
    throw new ValidationError(`the churn model was trained on ${trained.length} features and this retain computes ${CHURN_FEATURE_NAMES.length} (${CHURN_FEATURE_NAMES.join(', ')}): retrain it with 'retain train churn --score'`);
  }
  let inputs: ChurnInputsWith;
  let population: ScoringPopulation;
  if (given) {
    inputs = churnInputsWith(log, asOf, model.horizonDays, given.bgNbd);
    population = given;
  } else {
    const fitted = churnInputsAt(log, asOf, model.horizonDays, model.bgNbdPenalizer);
    inputs = fitted;
    population = { bgNbd: { ...fitted.bgNbd.params }, gammaGamma: { ...fitGammaGamma(fitted.summary).params }, rfm: rfmBoundaries(fitted.summary) };
  }
  const { summary, bgNbdScores } = inputs;
  const n = summary.customer.length;
  const bgNbd = { params: population.bgNbd, unit: 'days' as const };
  const churn = scoreChurnClassifier(model.classifier, inputs.features, n);
  const groups = [...new Set(CHURN_FEATURE_GROUPS)];
  const reasons = topChurnReasons(model.classifier.net, churn.standardized, n, churn.logits, CHURN_FEATURE_GROUPS, groups, o.reasons);
  const rfm = rfmSegments(summary, population.rfm);
  const clvOptions: Partial<ClvOptions> = { periods: Math.max(1, Math.round(o.clvDays / (365 / 12))), periodDays: 365 / 12, discountRate: o.clvDiscountRate };
  const value = customerValues(bgNbd, { params: population.gammaGamma }, summary, asOf, clvOptions);
  const customerIds = Array.from(summary.customer, (c) => log.customerIds[c]!);
  const lines = linesPerCustomer(log);
  const riskCounts = { high: 0, medium: 0, low: 0 };
  for (let i = 0; i < n; i++) riskCounts[riskTier(churn.probability[i]!)]++;
  const unscored: CustomerScoreTable['unscored'] = [];
  for (let c = 0; c < log.customerIds.length; c++) if (summary.entryOf[c]! < 0) unscored.push({ externalId: log.customerIds[c]!, purchaseLines: lines[c]! });

  const row = (i: number): ScoreRow => {
    const p = churn.probability[i]!;
    const clv = value.clv[i]!;
    const gap = summary.meanDaysBetweenOrders[i]!;
    const k = reasons.perCustomer;
    const why: ScoreReason[] = [];
    for (let j = 0; j < k; j++) {
      const g = reasons.group[i * k + j]!;
      const effect = round(reasons.effect[i * k + j]!, 3);
      // effects come largest first; one that rounds to nothing is no reason
      if (g < 0 || effect <= 0) break;
      const group = groups[g]!;
      why.push({ reason: group, effect, detail: reasonDetail(group, summary, inputs.trends, i, bgNbdScores.pNoPurchase[i]!, model.horizonDays) });
    }
    return {
      externalId: customerIds[i]!,
      churnProbability: p,
      riskTier: riskTier(p),
      pAlive: bgNbdScores.pAlive[i]!,
      expectedPurchases: bgNbdScores.expectedPurchases[i]!,
      predictedClv: clv,
      valueAtRisk: p * clv,
      expectedNextOrderAt: Number.isFinite(value.expectedNextOrderAt[i]!) ? value.expectedNextOrderAt[i]! : null,
      avgDaysBetweenOrders: Number.isNaN(gap) ? null : gap,
      recencyDays: summary.daysSinceLastPurchase[i]!,
      frequency: summary.orders[i]!,
      monetary: summary.meanOrderValue[i]!,
      rScore: rfm.r[i]!,
      fScore: rfm.f[i]!,
      mScore: rfm.m[i]!,
      segment: SEGMENTS[rfm.segment[i]!]!,
      reasons: why,
      purchaseLines: lines[summary.customer[i]!]!,
    };
  };
  return { asOf, customerIds, rows: n, row, riskCounts, population, unscored };
}

/** Purchase and cancellation lines of each log customer. */
function linesPerCustomer(log: PurchaseLog): Int32Array {
  const lines = new Int32Array(log.customerIds.length);
  for (let i = 0; i < log.customer.length; i++) lines[log.customer[i]!]!++;
  const c = log.cancellations?.customer ?? new Int32Array(0);
  for (let k = 0; k < c.length; k++) lines[c[k]!]!++;
  return lines;
}

function reasonDetail(group: ReasonGroup, s: CustomerSummary, trends: CustomerTrends, i: number, pNoPurchase: number, horizonDays: number): string {
  const days = (v: number): string => `${Math.round(v)} day${Math.round(v) === 1 ? '' : 's'}`;
  switch (group) {
    case 'recency':
      return `${days(s.daysSinceLastPurchase[i]!)} since the last order`;
    case 'frequency':
      return `${s.orders[i]!} order${s.orders[i]! === 1 ? '' : 's'} in total`;
    case 'monetary':
      return `mean order value ${s.meanOrderValue[i]!.toFixed(2)}`;
    case 'tenure':
      return `first order ${days(tenureDays(s, i))} ago`;
    case 'variety':
      return `${s.distinctItems[i]!} distinct items bought`;
    case 'cadence': {
      const gap = s.meanDaysBetweenOrders[i]!;
      return Number.isNaN(gap)
        ? `only one order, ${days(s.daysSinceLastPurchase[i]!)} ago`
        : `orders every ${days(gap)} on average; the last was ${days(s.daysSinceLastPurchase[i]!)} ago`;
    }
    case 'recent_activity':
      return `${s.ordersLast90Days[i]!} orders in the last 90 days (${s.ordersLast30Days[i]!} in the last 30)`;
    case 'returns':
      return `${Math.round(100 * trends.cancelledLineShare[i]!)}% of order lines cancelled`;
    case 'purchase_model':
      return `purchase model: ${Math.round(100 * pNoPurchase)}% chance of no order in the next ${days(horizonDays)}`;
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
