// Model selection on a validation split inside the training data: every candidate is fitted on
// the lines before an inner cutoff and scored by nDCG@k on the lines after it; the test holdout
// is never looked at. Each registered family names its candidates (a fixed grid for the cheap
// ones, a seeded random sample of iALS settings within a budget for the expensive one).
import type { PurchaseLog } from '../customers/purchase-log.ts';
import { splitByTime } from '../customers/split.ts';
import type { SearchSettings } from './family.ts';
import { evaluateSpec } from './offline-evaluation.ts';
import { registeredFamilies, type ModelSpec } from './registry.ts';
import type { RankingReport } from '../metrics/ranking.ts';

export interface SelectionOptions extends SearchSettings {
  /** Inner cutoff (ms): validation trains before it and scores after it. */
  innerCutoff: number;
  k: number;
  onTrial?: (trial: Trial) => void;
}

export const SELECTION_DEFAULTS: Omit<SelectionOptions, 'innerCutoff'> = {
  k: 10,
  alsBudget: 4,
  alsIterations: 15,
  seed: 7,
  easeMemoryLimit: 4 * 2 ** 30,
};

export interface Trial {
  spec: ModelSpec;
  report: RankingReport;
  fitSeconds: number;
}

export interface Selection {
  best: ModelSpec;
  trials: Trial[];
  /** Why a family was left out (e.g. EASE on a catalog too large for memory). */
  skipped: string[];
}

export function selectModel(train: PurchaseLog, options: Partial<SelectionOptions> & { innerCutoff: number }): Selection {
  const o = { ...SELECTION_DEFAULTS, ...options } satisfies SelectionOptions;
  const { train: inner, test: validation } = splitByTime(train, o.innerCutoff);
  const skipped: string[] = [];
  const candidates: ModelSpec[] = [];
  const context = { items: train.itemIds.length, alsBudget: o.alsBudget, alsIterations: o.alsIterations, seed: o.seed, easeMemoryLimit: o.easeMemoryLimit };
  for (const family of registeredFamilies()) {
    const space = family.searchSpace(context);
    if (space.skipped) skipped.push(`${family.algorithm}: ${space.skipped}`);
    // the registry holds families untyped: each spec is built from its own family's settings
    candidates.push(...space.candidates.map((settings) => ({ algorithm: family.algorithm, ...settings }) as ModelSpec));
  }
  const trials: Trial[] = [];
  for (const spec of candidates) {
    const e = evaluateSpec(inner, validation, spec, o.k);
    const trial = { spec, report: e.report, fitSeconds: e.fitSeconds };
    trials.push(trial);
    o.onTrial?.(trial);
  }
  const best = trials.reduce((a, b) => (b.report.ndcg > a.report.ndcg ? b : a));
  return { best: best.spec, trials, skipped };
}
