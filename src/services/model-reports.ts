// What the dashboard and the offline report read from a model's manifest: the churn backtest
// (comparison with the reference scores, calibration bins, ROC and gains points) and the
// recommender's holdout metrics. Manifests hold loose JSON, so each is parsed here, once, and a
// manifest written before a field existed gives `undefined` for it instead of a broken chart.
import { z } from 'zod';

const ScoreComparison = z.object({ score: z.string(), rocAuc: z.number(), prAuc: z.number(), brier: z.number().nullable(), liftTopDecile: z.number() });
const CalibrationBin = z.object({ lower: z.number(), upper: z.number(), count: z.number(), meanPredicted: z.number(), observedRate: z.number() });
const Curves = z.object({
  roc: z.object({ fpr: z.array(z.number()), tpr: z.array(z.number()) }),
  gains: z.object({ targeted: z.array(z.number()), captured: z.array(z.number()) }),
});

const ChurnBacktestReport = z.object({
  cutoff: z.string(),
  holdoutEnd: z.string(),
  customers: z.number(),
  churnRate: z.number(),
  comparison: z.array(ScoreComparison),
  calibration: z.array(CalibrationBin),
  curves: Curves.optional(),
  bgNbdRepeatPurchases: z.object({ predicted: z.number(), actual: z.number() }).optional(),
});
export type ChurnBacktestReport = z.infer<typeof ChurnBacktestReport>;

const RecommenderTest = z.object({
  cutoff: z.string(),
  k: z.number(),
  users: z.number(),
  precision: z.number(),
  recall: z.number(),
  ndcg: z.number(),
  map: z.number(),
  coverage: z.number(),
});
export type RecommenderTestReport = z.infer<typeof RecommenderTest>;

const ChurnValidation = z.object({ customers: z.number(), rocAuc: z.number(), prAuc: z.number(), brier: z.number() });
export type ChurnValidationReport = z.infer<typeof ChurnValidation>;

export function churnBacktestOf(metrics: Record<string, unknown>): ChurnBacktestReport | undefined {
  const parsed = ChurnBacktestReport.safeParse(metrics.backtest);
  return parsed.success ? parsed.data : undefined;
}

export function churnValidationOf(metrics: Record<string, unknown>): ChurnValidationReport | undefined {
  const parsed = ChurnValidation.safeParse(metrics.validation);
  return parsed.success ? parsed.data : undefined;
}

export function recommenderTestOf(metrics: Record<string, unknown>): RecommenderTestReport | undefined {
  const parsed = RecommenderTest.safeParse(metrics.test);
  return parsed.success ? parsed.data : undefined;
}
