// The customer-lifetime fitting job behind `retain clv fit`: BG/NBD (and Gamma-Gamma when spend is
// given, Pareto/NBD on request) fitted to a data scientist's own customer summary or transactions.
import { ValidationError } from '../errors.ts';
import type { PurchaseFormat } from '../import/purchase-row.ts';
import { readPurchaseLog } from '../import/read-purchase-log.ts';
import { readRepeatSummaryCsv } from '../import/repeat-summary-csv.ts';
import { readTransactionsCsv } from '../import/transactions-csv.ts';
import { summarizeCustomers, type RepeatSummary, type TimeUnit } from '../ml/customers/summary.ts';
import { fitBgNbd, type BgNbdFit } from '../ml/lifetime/bg-nbd.ts';
import { fitGammaGamma, type GammaGammaFit } from '../ml/lifetime/gamma-gamma.ts';
import { fitParetoNbd, type ParetoNbdFit } from '../ml/lifetime/pareto-nbd.ts';

export type ClvInput =
  /** One row per customer: frequency,recency,T[,monetary_value] or x,t_x,T[,zbar], in `unit`. */
  | { summary: string }
  /** Transactions (customer_id,date[,value]) or, with `format`, purchase lines; only those before `cutoff` (ms) count. */
  | { transactions: string; format?: PurchaseFormat; cutoff: number };

export interface FitClvOptions {
  input: ClvInput;
  unit: TimeUnit;
  penalizer: number;
  pareto: boolean;
}

export type ClvFit =
  | { model: 'bgNbd'; fit: BgNbdFit; ms: number }
  | { model: 'paretoNbd'; fit: ParetoNbdFit; ms: number }
  | { model: 'gammaGamma'; fit: GammaGammaFit; ms: number };

export interface ClvFitReport {
  /** What was read: the file, and the cutoff for transactions. */
  source: string;
  unit: TimeUnit;
  customers: number;
  /** BG/NBD first, then Pareto/NBD if asked for, then Gamma-Gamma if there was repeat spend. */
  fits: ClvFit[];
}

export async function fitClv(options: FitClvOptions): Promise<ClvFitReport> {
  const { unit, penalizer } = options;
  const { data, source } = 'summary' in options.input ? await fromSummary(options.input.summary, unit) : await fromTransactions(options.input, unit);
  const timed = <T>(fit: () => T): { fit: T; ms: number } => {
    const started = performance.now();
    const result = fit();
    return { fit: result, ms: performance.now() - started };
  };
  const fits: ClvFit[] = [{ model: 'bgNbd', ...timed(() => fitBgNbd(data, { penalizer })) }];
  if (options.pareto) fits.push({ model: 'paretoNbd', ...timed(() => fitParetoNbd(data, { penalizer })) });
  // spend needs customers with repeat purchases
  if (data.monetary && data.frequency.some((x) => x > 0)) fits.push({ model: 'gammaGamma', ...timed(() => fitGammaGamma(data, { penalizer })) });
  return { source, unit, customers: data.frequency.length, fits };
}

async function fromSummary(path: string, unit: TimeUnit): Promise<{ data: RepeatSummary; source: string }> {
  return { data: await readRepeatSummaryCsv(path, unit), source: path };
}

async function fromTransactions(input: { transactions: string; format?: PurchaseFormat; cutoff: number }, unit: TimeUnit): Promise<{ data: RepeatSummary; source: string }> {
  const path = input.transactions;
  const { log, hasValues } = input.format === undefined ? await readTransactionsCsv(path) : { log: (await readPurchaseLog(path, input.format)).log, hasValues: true };
  const summary = summarizeCustomers(log, input.cutoff, unit);
  const cutoff = new Date(input.cutoff).toISOString();
  if (summary.frequency.length === 0) throw new ValidationError(`no purchases before the cutoff ${cutoff.slice(0, 10)} in ${path}`);
  const { monetary, ...rest } = summary;
  return { data: hasValues ? summary : rest, source: `${path} before ${cutoff}` };
}
