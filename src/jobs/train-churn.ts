// The churn training job: purchase history -> stacked training windows -> calibrated classifier ->
// backtest when the history reaches past the cutoff -> versioned artifact (made CURRENT), and,
// when asked, every customer scored into the database.
import { saveChurnModel, type ChurnModel } from '../artifacts/codecs/churn.ts';
import type { Manifest } from '../artifacts/manifest.ts';
import type { Database } from '../db/client.ts';
import { defaultChurnNetOptions } from '../ml/churn/model.ts';
import { backtestChurn, defaultChurnTrainingOptions, trainChurnModel, type ChurnBacktest, type ChurnTraining, type ChurnTrainingOptions } from '../ml/churn/train.ts';
import { lastPurchaseTime } from '../ml/churn/windows.ts';
import { formatClvHoldout } from '../ml/churn/clv-holdout.ts';
import { scoreCurves } from '../ml/metrics/curves.ts';
import { averagePrecision, brierScore, rocAuc } from '../ml/metrics/classification.ts';
import { DAY_MS } from '../ml/customers/purchase-log.ts';
import { silentProgress, type JobProgress } from './progress.ts';
import { readPurchases, type PurchaseSource } from './purchase-source.ts';
import { storeCustomerScores, type StoredScores } from './score-customers.ts';
import { startTensorflow } from './tensorflow.ts';

/** The defaults a command line documents: training windows and network. */
export const CHURN_DEFAULTS = {
  horizonDays: defaultChurnTrainingOptions.horizonDays,
  windows: defaultChurnTrainingOptions.windows,
  windowStepDays: defaultChurnTrainingOptions.windowStepDays,
  hiddenUnits: defaultChurnNetOptions.hiddenUnits,
  l2: defaultChurnNetOptions.l2,
  seeds: defaultChurnNetOptions.seeds,
} as const;

export interface TrainChurnOptions {
  source: PurchaseSource;
  /** Scoring moment (ms UTC). Default: midnight after the last purchase (no holdout). */
  cutoff?: number;
  training: Partial<ChurnTrainingOptions>;
  modelsDir: string;
  activate?: boolean;
  /** Then score every customer at the cutoff and replace this database's customer_scores. */
  scoreInto?: Database;
}

export interface TrainChurnResult {
  model: ChurnModel;
  manifest: Manifest;
  training: ChurnTraining;
  validation: { customers: number; rocAuc: number; prAuc: number; brier: number };
  backtest: ChurnBacktest | undefined;
  /** With `scoreInto`: what was written. */
  scores?: StoredScores;
}

export async function trainChurn(options: TrainChurnOptions, progress: JobProgress = silentProgress): Promise<TrainChurnResult> {
  await startTensorflow(progress);
  const log = await readPurchases(options.source);
  const last = lastPurchaseTime(log);
  if (Number.isNaN(last)) throw new RangeError('the purchase log is empty');
  const dataEnd = Math.floor(last / DAY_MS + 1) * DAY_MS;
  const cutoff = options.cutoff ?? dataEnd;
  const members = (options.training.net?.seeds ?? defaultChurnNetOptions.seeds).length;
  progress.stage('building training windows', { unit: 'windows' });
  let fitting = false;
  const training = await trainChurnModel(log, cutoff, options.training, {
    onWindow: (k) => progress.update(k),
    onEpoch: (member) => {
      if (!fitting) progress.stage('training churn ensemble', { total: members, unit: 'members' });
      fitting = true;
      progress.update(member);
    },
  });
  progress.finish();
  const { fit, windows } = training;
  const v = fit.validation;
  const validation = { customers: v.labels.length, rocAuc: rocAuc(v.labels, v.probability), prAuc: averagePrecision(v.labels, v.probability), brier: brierScore(v.labels, v.probability) };
  // a holdout exists when the log runs past the cutoff; it ends at the horizon or the data's end
  const holdoutEnd = Math.min(windows.horizonEnd, dataEnd);
  const backtest = holdoutEnd > cutoff ? backtestChurn(log, training, holdoutEnd) : undefined;
  const model: ChurnModel = { classifier: fit.classifier, horizonDays: training.options.horizonDays, bgNbdPenalizer: training.options.bgNbdPenalizer };
  const iso = (t: number): string => new Date(t).toISOString();
  const manifest = await saveChurnModel(options.modelsDir, model, {
    params: { ...training.options, net: { ...training.options.net }, features: fit.classifier.featureNames, calibration: fit.classifier.calibration, ...(training.baseRate ? { baseRate: { calibratedRate: training.baseRate.calibratedRate, populationRate: training.baseRate.populationRate } } : {}) },
    dataWindow: { from: iso(Math.min(...training.trainingWindows.map((w) => w.cutoff))), to: iso(cutoff) },
    metrics: {
      trainingWindows: training.trainingWindows.map((w) => ({ ...w, cutoff: iso(w.cutoff) })),
      fitCustomers: fit.fitRows,
      validation,
      ...(backtest ? { backtest: backtestMetrics(backtest) } : {}),
    },
    ...(options.activate === undefined ? {} : { activate: options.activate }),
  });
  const scores = options.scoreInto ? await storeCustomerScores(options.scoreInto, log, model, manifest.version, { clock: 'data', asOf: cutoff }, progress) : undefined;
  return { model, manifest, training, validation, backtest, ...(scores ? { scores } : {}) };
}

function backtestMetrics(b: ChurnBacktest): Record<string, unknown> {
  return {
    cutoff: new Date(b.cutoff).toISOString(),
    holdoutEnd: new Date(b.holdoutEnd).toISOString(),
    customers: b.customers,
    churnRate: b.churnRate,
    comparison: b.comparison,
    calibration: b.calibration,
    curves: scoreCurves(b.labels, b.probability, 40),
    bgNbdParams: b.inputs.bgNbd.params,
    bgNbdRepeatPurchases: b.bgNbdRepeatPurchases,
    clvHoldout: b.clvHoldout,
  };
}

/** The report as printed by `retain train churn`. */
export function formatChurnReport(result: TrainChurnResult): string {
  const { training, validation, backtest, manifest } = result;
  const f = (v: number | null, digits = 4): string => (v === null ? '—' : v.toFixed(digits));
  const day = (t: number): string => new Date(t).toISOString().slice(0, 10);
  const lines: string[] = [];
  lines.push(`churn model ${manifest.version} (horizon ${training.options.horizonDays} days, ${training.fit.classifier.net.members.length} members, hidden ${training.fit.classifier.net.hiddenUnits})`);
  lines.push('training windows (features before the date, label = no order in the following horizon):');
  for (const w of training.trainingWindows) lines.push(`  ${day(w.cutoff)}  ${w.customers} customers, churn rate ${f(w.churnRate, 3)}`);
  lines.push(`validation slice: ${validation.customers} customers, ROC AUC ${f(validation.rocAuc)}, PR AUC ${f(validation.prAuc)}, Brier ${f(validation.brier)}`);
  const b = training.baseRate;
  if (b) lines.push(`calibration moved to the customers at the cutoff: churn rate ${f(b.populationRate, 3)} (validation slice ${f(b.calibratedRate, 3)}; Saerens et al. 2002, no labels read)`);

  if (!backtest) {
    lines.push('no holdout after the cutoff: backtest skipped (pass --cutoff earlier than the data end to run one)');
    return `${lines.join('\n')}\n`;
  }
  lines.push('');
  lines.push(`backtest: scored at ${day(backtest.cutoff)}, holdout to ${day(backtest.holdoutEnd)}: ${backtest.customers} customers, churn rate ${f(backtest.churnRate)}`);
  const width = Math.max(...backtest.comparison.map((c) => c.score.length));
  lines.push(`  ${'score'.padEnd(width)}  ROC AUC  PR AUC   Brier   lift@10%`);
  for (const c of backtest.comparison) {
    lines.push(`  ${c.score.padEnd(width)}  ${f(c.rocAuc)}   ${f(c.prAuc)}   ${f(c.brier).padEnd(6)}  ${f(c.liftTopDecile, 3)}`);
  }
  lines.push('calibration (classifier): predicted range, customers, mean predicted, observed churn rate');
  for (const b of backtest.calibration) lines.push(`  [${b.lower.toFixed(1)}, ${b.upper.toFixed(1)})  ${String(b.count).padStart(5)}  ${f(b.meanPredicted, 3)}  ${f(b.observedRate, 3)}`);
  const { params } = backtest.inputs.bgNbd;
  const rp = backtest.bgNbdRepeatPurchases;
  lines.push(`BG/NBD at the cutoff: r ${params.r.toPrecision(4)}, α ${params.alpha.toPrecision(4)}, a ${params.a.toPrecision(3)}, b ${params.b.toPrecision(4)}${backtest.inputs.bgNbd.diagnostics.boundary.length ? ` (${backtest.inputs.bgNbd.diagnostics.boundary.join(', ')})` : ''}`);
  lines.push(`BG/NBD repeat purchase days in the holdout: predicted ${rp.predicted.toFixed(1)}, actual ${rp.actual}`);
  lines.push(formatClvHoldout(backtest.clvHoldout).trimEnd());
  return `${lines.join('\n')}\n`;
}
