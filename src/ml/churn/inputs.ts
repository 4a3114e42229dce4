// Everything the churn classifier reads at one cutoff: the customer summary (summary.ts), the
// behaviour trends (trends.ts), a BG/NBD fit on the same history (bg-nbd.ts), its per-customer
// outputs for the horizon, and the feature matrix.
import { fitBgNbd, scoreBgNbd, type BgNbdFit, type BgNbdParams } from '../lifetime/bg-nbd.ts';
import type { PurchaseLog } from '../customers/purchase-log.ts';
import { summarizeCustomers, type CustomerSummary } from '../customers/summary.ts';
import { churnFeatureMatrix, type BgNbdChurnInputs } from './features.ts';
import { customerTrends, type CustomerTrends } from './trends.ts';

export interface ChurnInputs extends ChurnInputsWith {
  bgNbd: BgNbdFit;
}

/** What `churnInputsWith` builds from a log and a BG/NBD fitted elsewhere. */
export interface ChurnInputsWith {
  summary: CustomerSummary;
  trends: CustomerTrends;
  bgNbdScores: BgNbdChurnInputs;
  /** Raw features, one row per summary entry (customer `summary.customer[i]` of the log). */
  features: Float32Array;
}

/** Summary, BG/NBD (in days, fitted on the same lines) and features from the lines strictly before `cutoff` (ms UTC). */
export function churnInputsAt(log: PurchaseLog, cutoff: number, horizonDays: number, bgNbdPenalizer = 0): ChurnInputs {
  const summary = summarizeCustomers(log, cutoff, 'days');
  const bgNbd = fitBgNbd(summary, { penalizer: bgNbdPenalizer });
  return { ...inputsOf(log, summary, bgNbd.params, horizonDays), bgNbd };
}

/**
 * The same inputs with BG/NBD parameters (in days) fitted on another population: how a customer
 * re-scored on their own gets exactly the features a full run would give them.
 */
export function churnInputsWith(log: PurchaseLog, cutoff: number, horizonDays: number, bgNbd: BgNbdParams): ChurnInputsWith {
  return inputsOf(log, summarizeCustomers(log, cutoff, 'days'), bgNbd, horizonDays);
}

function inputsOf(log: PurchaseLog, summary: CustomerSummary, params: BgNbdParams, horizonDays: number): ChurnInputsWith {
  const scores = scoreBgNbd(params, summary, horizonDays);
  const bgNbdScores: BgNbdChurnInputs = {
    pNoPurchase: scores.probabilityNoPurchase,
    pAlive: scores.probabilityAlive,
    expectedPurchases: scores.expectedPurchases,
  };
  const trends = customerTrends(log, summary, horizonDays);
  return { summary, trends, bgNbdScores, features: churnFeatureMatrix(summary, bgNbdScores, trends) };
}
