// The reasoning of an automatic model choice as text: how it validated, every candidate's nDCG@k
// (mean ± spread over the folds) and fit time, and why the winner won. Shared by `retain evaluate`
// and `retain train recommender`.
import type { ModelSpec } from '../ml/cf/fit.ts';
import type { Trial } from '../ml/cf/selection.ts';
import { specLabel } from '../jobs/evaluate.ts';

export interface ShownSelection {
  validation: { mode: string; reason: string; folds: string[] };
  trials: Trial[];
  reason: string;
  best?: ModelSpec;
  /** Wall time of the selection. */
  seconds: number;
}

export function validationTable(s: ShownSelection, k: number): string {
  const rows = s.trials.map((t) => [specLabel(t.spec), t.pruned ? `${t.ndcg.mean.toFixed(5)} (fold 1 only)` : `${t.ndcg.mean.toFixed(5)} ± ${t.ndcg.spread.toFixed(5)}`, t.fitSeconds.toFixed(2)]);
  const header = ['candidate', `nDCG@${k} mean ± spread`, 'fit s'];
  const width = [0, 1].map((c) => Math.max(header[c]!.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `${r[0]!.padEnd(width[0]!)}  ${r[1]!.padEnd(width[1]!)}  ${r[2]!.padStart(5)}`;
  return [
    `validation: ${s.validation.mode} (${s.validation.reason})`,
    ...s.validation.folds.map((f, j) => `  fold ${j + 1}: ${f}`),
    line(header),
    ...rows.map(line),
    `chosen: ${s.best ? `${specLabel(s.best)}, ` : ''}${s.reason}`,
    `selection: ${s.trials.length} candidates in ${s.seconds.toFixed(1)} s`,
    '',
  ].join('\n');
}
