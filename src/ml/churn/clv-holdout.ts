// The customer-value backtest: each predictor's spend per customer in the holdout window against
// what customers actually spent there (MAE, Spearman's ρ, predicted total / actual total), and the
// report section `retain train churn` prints.
import { meanAbsoluteError, spearmanCorrelation } from '../metrics/regression.ts';

export interface ClvHoldoutRow {
  predictor: string;
  mae: number;
  spearman: number;
  predictedTotal: number;
}

export interface ClvHoldout {
  /** Length of the holdout window, days. */
  days: number;
  customers: number;
  actualTotal: number;
  rows: ClvHoldoutRow[];
}

/** One row per predictor, in the order given; `actual[i]` and each prediction are customer i's spend. */
export function clvHoldout(actual: Float64Array, predictions: readonly [string, ArrayLike<number>][], days: number): ClvHoldout {
  return {
    days,
    customers: actual.length,
    actualTotal: sum(actual),
    rows: predictions.map(([predictor, p]) => ({ predictor, mae: meanAbsoluteError(actual, p), spearman: spearmanCorrelation(actual, p), predictedTotal: sum(p) })),
  };
}

/** The report section: one line per predictor (Spearman is NaN for a constant prediction, printed —). */
export function formatClvHoldout(c: ClvHoldout): string {
  const width = Math.max(...c.rows.map((r) => r.predictor.length));
  const lines = [
    `customer value in the holdout (${c.days} days): spend per customer, ${c.customers} customers, actual total ${c.actualTotal.toFixed(2)}`,
    `  ${'predictor'.padEnd(width)}  MAE       Spearman  total / actual`,
    ...c.rows.map((r) => `  ${r.predictor.padEnd(width)}  ${r.mae.toFixed(1).padEnd(8)}  ${(Number.isNaN(r.spearman) ? '—' : r.spearman.toFixed(3)).padEnd(8)}  ${(r.predictedTotal / c.actualTotal).toFixed(3)}`),
  ];
  return `${lines.join('\n')}\n`;
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}
