// The scoring job: every customer scored for the service (calibrated churn probability and risk
// tier from the trained classifier, P(alive), expected purchases and next-order date from BG/NBD,
// CLV from BG/NBD × Gamma-Gamma, RFM scores and segment, top reasons), then customer_scores
// replaced in one transaction. `retain score churn`, `train churn --score` and the first run use it.
import { loadChurnModel, type ChurnModel } from '../artifacts/codecs/churn.ts';
import type { Database } from '../db/client.ts';
import { loadPurchaseLog } from '../db/queries/purchase-log.ts';
import { replaceCustomerScores, type ReplaceResult, type ScoreRow } from '../db/queries/customer-scores-replace.ts';
import type { ScoreReason } from '../db/schema/index.ts';
import { ValidationError } from '../errors.ts';
import { scoreChurnClassifier } from '../ml/churn/classifier.ts';
import { CHURN_FEATURE_GROUPS, tenureDays, type ReasonGroup } from '../ml/churn/features.ts';
import { churnInputsAt } from '../ml/churn/inputs.ts';
import { topChurnReasons } from '../ml/churn/reasons.ts';
import { lastPurchaseTime } from '../ml/churn/windows.ts';
import { customerValues, type ClvOptions } from '../ml/lifetime/clv.ts';
import { fitGammaGamma } from '../ml/lifetime/gamma-gamma.ts';
import { DAY_MS, type PurchaseLog } from '../ml/customers/purchase-log.ts';
import { rfmSegments, SEGMENTS } from '../ml/customers/rfm.ts';
import type { CustomerSummary } from '../ml/customers/summary.ts';
import { silentProgress, type JobProgress } from './progress.ts';
import { startTensorflow } from './tensorflow.ts';

export interface ScoreChurnOptions {
  modelsDir: string;
  /** Churn model version; default CURRENT. */
  version?: string;
  /** Scoring moment (ms UTC); default: midnight after the last stored purchase. */
  asOf?: number;
}

export interface StoredScores extends ReplaceResult {
  modelVersion: string;
  asOf: number;
  riskCounts: CustomerScoreTable['riskCounts'];
}

/** `retain score churn`: scores the customers with a purchase before `asOf` with a saved model. */
export async function scoreChurn(database: Database, options: ScoreChurnOptions, progress: JobProgress = silentProgress): Promise<StoredScores> {
  await startTensorflow(progress);
  const model = await loadChurnModel(options.modelsDir, options.version);
  const log = await loadPurchaseLog(database.db, options.asOf === undefined ? {} : { before: new Date(options.asOf) });
  const last = lastPurchaseTime(log);
  if (Number.isNaN(last)) throw new ValidationError('no purchases in the database before the scoring date: import some first');
  const asOf = options.asOf ?? Math.floor(last / DAY_MS + 1) * DAY_MS;
  return storeCustomerScores(database, log, model, model.manifest.version, asOf, progress);
}

/** Scores `log` at `asOf` with `model` and replaces customer_scores, reporting the rows written. */
export async function storeCustomerScores(
  database: Database,
  log: PurchaseLog,
  model: ChurnModel,
  modelVersion: string,
  asOf: number,
  progress: JobProgress = silentProgress,
): Promise<StoredScores> {
  const table = scoreCustomers(log, model, asOf);
  progress.stage('writing customer scores', { total: table.rows, unit: 'rows' });
  const written = await writeCustomerScores(database, table, modelVersion, { onRows: (n) => progress.update(n) });
  progress.finish();
  const stored = { ...written, modelVersion, asOf, riskCounts: table.riskCounts };
  progress.info('customer scores replaced', { ...written, riskCounts: table.riskCounts, modelVersion, asOf: new Date(asOf).toISOString() });
  return stored;
}

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
  gammaGamma: { p: number; q: number; v: number };
}

/** Scores the customers with a purchase before `asOf` (ms UTC) from the lines before it. */
export function scoreCustomers(log: PurchaseLog, model: ChurnModel, asOf: number, options: Partial<ScoringOptions> = {}): CustomerScoreTable {
  const o = { ...defaultScoringOptions, ...options } satisfies ScoringOptions;
  const inputs = churnInputsAt(log, asOf, model.horizonDays, model.bgNbdPenalizer);
  const { summary, bgNbd, bgNbdScores } = inputs;
  const n = summary.customer.length;
  const churn = scoreChurnClassifier(model.classifier, inputs.features, n);
  const groups = [...new Set(CHURN_FEATURE_GROUPS)];
  const reasons = topChurnReasons(model.classifier.net, churn.standardized, n, churn.logits, CHURN_FEATURE_GROUPS, groups, o.reasons);
  const rfm = rfmSegments(summary);
  const gammaGamma = fitGammaGamma(summary);
  const clvOptions: Partial<ClvOptions> = { periods: Math.max(1, Math.round(o.clvDays / (365 / 12))), periodDays: 365 / 12, discountRate: o.clvDiscountRate };
  const value = customerValues(bgNbd, gammaGamma, summary, asOf, clvOptions);
  const customerIds = Array.from(summary.customer, (c) => log.customerIds[c]!);
  const riskCounts = { high: 0, medium: 0, low: 0 };
  for (let i = 0; i < n; i++) riskCounts[riskTier(churn.probability[i]!)]++;

  const row = (i: number): ScoreRow => {
    const p = churn.probability[i]!;
    const clv = value.clv[i]!;
    const gap = summary.meanDaysBetweenOrders[i]!;
    const k = reasons.perCustomer;
    const why: ScoreReason[] = [];
    for (let j = 0; j < k; j++) {
      const g = reasons.group[i * k + j]!;
      if (g < 0) break;
      const group = groups[g]!;
      why.push({ reason: group, effect: round(reasons.effect[i * k + j]!, 3), detail: reasonDetail(group, summary, i, bgNbdScores.pNoPurchase[i]!, model.horizonDays) });
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
    };
  };
  return { asOf, customerIds, rows: n, row, riskCounts, gammaGamma: { ...gammaGamma.params } };
}

/** Replaces customer_scores with `table` in one transaction, in chunks of `chunkRows`. */
export function writeCustomerScores(
  database: Database,
  table: CustomerScoreTable,
  modelVersion: string,
  options: { chunkRows?: number; onRows?: (rows: number) => void } = {},
): Promise<ReplaceResult> {
  const chunkRows = options.chunkRows ?? 20_000;
  function* chunks(): Generator<ScoreRow[]> {
    for (let start = 0; start < table.rows; start += chunkRows) {
      const end = Math.min(table.rows, start + chunkRows);
      const chunk: ScoreRow[] = [];
      for (let i = start; i < end; i++) chunk.push(table.row(i));
      yield chunk;
    }
  }
  return replaceCustomerScores(database, chunks(), modelVersion, options.onRows);
}

function reasonDetail(group: ReasonGroup, s: CustomerSummary, i: number, pNoPurchase: number, horizonDays: number): string {
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
    case 'purchase_model':
      return `purchase model: ${Math.round(100 * pNoPurchase)}% chance of no order in the next ${days(horizonDays)}`;
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
