// Model selection on a validation split inside the training data: every candidate is fitted on
// the lines before an inner cutoff and scored by nDCG@k on the lines after it; the test holdout
// is never looked at. Candidates are a fixed grid for the cheap families plus a seeded random
// sample of iALS settings (the expensive family) within a budget.
import type { PurchaseLog } from '../customers/purchase-log.ts';
import { createRng } from '../numeric/rng.ts';
import { splitByTime } from '../customers/split.ts';
import type { Weighting } from './als.ts';
import { easeMemoryBytes } from './ease.ts';
import { evaluateSpec } from './offline-evaluation.ts';
import type { ModelSpec } from './fit.ts';
import type { RankingReport } from '../metrics/ranking.ts';

export interface SelectionOptions {
  /** Inner cutoff (ms): validation trains before it and scores after it. */
  innerCutoff: number;
  k: number;
  /** Number of random iALS settings tried. */
  alsBudget: number;
  /** iALS iterations during the search (the chosen model is refit with the same value). */
  alsIterations: number;
  seed: number;
  /** EASE is skipped when its items x items matrices would exceed this many bytes. */
  easeMemoryLimit: number;
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
  const candidates: ModelSpec[] = [
    { algorithm: 'popularity' },
    { algorithm: 'popularity', windowDays: 30 },
    ...[20, 50, 100].map((neighbours): ModelSpec => ({ algorithm: 'knn', neighbours })),
  ];
  const items = train.itemIds.length;
  if (easeMemoryBytes(items) <= o.easeMemoryLimit) {
    candidates.push(...[100, 200, 500, 1000].map((lambda): ModelSpec => ({ algorithm: 'ease', lambda })));
  } else {
    skipped.push(`ease: ${items} items need ~${(easeMemoryBytes(items) / 2 ** 30).toFixed(1)} GiB (limit ${(o.easeMemoryLimit / 2 ** 30).toFixed(1)} GiB)`);
  }
  candidates.push(...randomAlsSettings(o.alsBudget, o.alsIterations, o.seed));
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

/** Seeded draws from the iALS ranges of Rendle et al. 2021 (log-uniform penalty and confidence). */
function randomAlsSettings(budget: number, iterations: number, seed: number): ModelSpec[] {
  const rng = createRng(seed);
  const weightings: Weighting[] = ['log', 'binary', 'counts', 'recency'];
  return Array.from({ length: budget }, (_, j): ModelSpec => ({
    algorithm: 'als',
    factors: 64,
    iterations,
    regularization: Math.round(Math.exp(Math.log(3) + rng.next() * Math.log(100))),
    alpha: Number(Math.exp(rng.next() * Math.log(20)).toFixed(2)),
    // the first draw always covers the reference weighting
    weighting: j === 0 ? 'log' : weightings[rng.int(weightings.length)]!,
    seed: seed + j,
  }));
}
