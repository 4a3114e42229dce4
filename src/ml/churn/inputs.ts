// Everything the churn classifier reads at one cutoff: the customer summary (summary.ts), the
// behaviour trends (trends.ts), a BG/NBD fit on the same history (bg-nbd.ts), its per-customer
// outputs for the horizon, and the feature matrix.
import { fitBgNbd, scoreBgNbd, type BgNbdFit } from '../lifetime/bg-nbd.ts';
import type { PurchaseLog } from '../customers/purchase-log.ts';
import { summarizeCustomers, type CustomerSummary } from '../customers/summary.ts';
import { churnFeatureMatrix, type BgNbdChurnInputs } from './features.ts';
import { customerTrends, type CustomerTrends } from './trends.ts';

export interface ChurnInputs {
  summary: CustomerSummary;
  trends: CustomerTrends;
  bgNbd: BgNbdFit;
  bgNbdScores: BgNbdChurnInputs;
  /** Raw features, one row per summary entry (customer `summary.customer[i]` of the log). */
  features: Float32Array;
}

/** Summary, BG/NBD (in days) and features from the lines strictly before `cutoff` (ms UTC). */
export function churnInputsAt(log: PurchaseLog, cutoff: number, horizonDays: number, bgNbdPenalizer = 0): ChurnInputs {
  const summary = summarizeCustomers(log, cutoff, 'days');
  const bgNbd = fitBgNbd(summary, { penalizer: bgNbdPenalizer });
  const scores = scoreBgNbd(bgNbd.params, summary, horizonDays);
  const bgNbdScores: BgNbdChurnInputs = {
    pNoPurchase: scores.probabilityNoPurchase,
    pAlive: scores.probabilityAlive,
    expectedPurchases: scores.expectedPurchases,
  };
  const trends = customerTrends(log, summary, horizonDays);
  return { summary, trends, bgNbd, bgNbdScores, features: churnFeatureMatrix(summary, bgNbdScores, trends) };
}
