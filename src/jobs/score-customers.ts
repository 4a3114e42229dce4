// The scoring job: every customer scored for the service (calibrated churn probability and risk
// tier from the trained classifier, P(alive), expected purchases and next-order date from BG/NBD,
// CLV from BG/NBD × Gamma-Gamma, RFM scores and segment, top reasons), then customer_scores
// replaced in one transaction (the rows: src/services/customer-scoring.ts). `retain score churn`,
// `train churn --score`, the first run and the schedule of `retain serve` use it.
import { loadChurnModel, type ChurnModel } from '../artifacts/codecs/churn.ts';
import type { Database } from '../db/client.ts';
import { loadPurchaseLog } from '../db/queries/purchase-log.ts';
import { replaceCustomerScores, type ReplaceResult, type ScoreRow } from '../db/queries/customer-scores-replace.ts';
import { ValidationError } from '../errors.ts';
import { lastPurchaseTime } from '../ml/churn/windows.ts';
import { DAY_MS, type PurchaseLog } from '../ml/customers/purchase-log.ts';
import { scoreCustomers, type CustomerScoreTable } from '../services/customer-scoring.ts';
import { silentProgress, type JobProgress } from './progress.ts';
import { startTensorflow } from './tensorflow.ts';

/**
 * When a run scores: a time (ms UTC); 'now' (a live shop: recency keeps growing while nobody buys);
 * 'data' (a historical data set such as the bundled sample: midnight after the last stored purchase).
 */
export type ScoringClock = number | 'now' | 'data';

export interface ScoringMoment {
  /** How as_of was chosen; the live scorer follows the same clock. */
  clock: 'now' | 'data';
  asOf: number;
}

export interface ScoreChurnOptions {
  modelsDir: string;
  /** Churn model version; default CURRENT. */
  version?: string;
  /** Default 'data'. */
  asOf?: ScoringClock;
  /** The clock of 'now' (tests). */
  now?: number;
}

export interface StoredScores extends ReplaceResult {
  modelVersion: string;
  clock: ScoringMoment['clock'];
  asOf: number;
  riskCounts: CustomerScoreTable['riskCounts'];
}

/** `retain score churn`: scores the customers with a purchase before as_of with a saved model. */
export async function scoreChurn(database: Database, options: ScoreChurnOptions, progress: JobProgress = silentProgress): Promise<StoredScores> {
  await startTensorflow(progress);
  const model = await loadChurnModel(options.modelsDir, options.version);
  // every line (also those after as_of): the rows' versions count what the run saw
  const log = await loadPurchaseLog(database.db);
  const moment = scoringMoment(log, options.asOf ?? 'data', options.now ?? Date.now());
  return storeCustomerScores(database, log, model, model.manifest.version, moment, progress);
}

export function scoringMoment(log: PurchaseLog, clock: ScoringClock, now: number): ScoringMoment {
  if (typeof clock === 'number') return { clock: 'data', asOf: clock };
  if (clock === 'now') return { clock, asOf: now };
  const last = lastPurchaseTime(log);
  if (Number.isNaN(last)) throw new ValidationError('no purchases in the database: import some first');
  return { clock, asOf: Math.floor(last / DAY_MS + 1) * DAY_MS };
}

/** Scores `log` at the moment with `model` and replaces customer_scores, reporting the rows written. */
export async function storeCustomerScores(
  database: Database,
  log: PurchaseLog,
  model: ChurnModel,
  modelVersion: string,
  moment: ScoringMoment,
  progress: JobProgress = silentProgress,
): Promise<StoredScores> {
  const table = scoreCustomers(log, model, moment.asOf);
  progress.stage('writing customer scores', { total: table.rows, unit: 'rows' });
  const written = await writeCustomerScores(database, table, modelVersion, moment.clock, { onRows: (n) => progress.update(n) });
  progress.finish();
  const stored = { ...written, modelVersion, ...moment, riskCounts: table.riskCounts };
  progress.info('customer scores replaced', { ...written, riskCounts: table.riskCounts, modelVersion, clock: moment.clock, asOf: new Date(moment.asOf).toISOString() });
  return stored;
}

/** Replaces customer_scores with `table` in one transaction, in chunks of `chunkRows`, recording the run. */
export function writeCustomerScores(
  database: Database,
  table: CustomerScoreTable,
  modelVersion: string,
  clock: ScoringMoment['clock'],
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
  const run = { modelVersion, clock, asOf: table.asOf, population: table.population, unscored: table.unscored };
  return replaceCustomerScores(database, chunks(), run, options.onRows);
}
