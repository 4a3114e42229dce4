// `retain clv fit`: fits BG/NBD (and Gamma-Gamma when spend is given) to a data scientist's own
// customer summary or transaction list and prints parameters, log-likelihood and diagnostics.
import { parseArgs } from 'node:util';
import { ValidationError } from '../../errors.ts';
import { fitBgNbd, type BgNbdFit } from '../../ml/lifetime/bg-nbd.ts';
import { fitGammaGamma, type GammaGammaFit } from '../../ml/lifetime/gamma-gamma.ts';
import { fitParetoNbd, type ParetoNbdFit } from '../../ml/lifetime/pareto-nbd.ts';
import { summarizeCustomers, type RepeatSummary, type TimeUnit } from '../../ml/customers/summary.ts';
import { readRepeatSummaryCsv } from '../../import/repeat-summary-csv.ts';
import { readTransactionsCsv } from '../../import/transactions-csv.ts';
import { readPurchaseLog } from '../../import/read-purchase-log.ts';
import { parseTimestamp, type PurchaseFormat } from '../../import/purchase-row.ts';

const HELP = `usage: retain clv fit (--summary FILE | --transactions FILE --cutoff DATE) [options]

Fits the BG/NBD purchase model, and the Gamma-Gamma spend model when values are given, and prints
the parameters, log-likelihood and convergence diagnostics.

input (one of):
  --summary FILE        one row per customer: frequency,recency,T[,monetary_value] (lifetimes'
                        summary table) or x,t_x,T[,zbar] (Hardie's CDNOW files); recency and T in --unit
  --transactions FILE   one row per transaction: customer_id,date[,value]; or order lines with --format
  --format F            read --transactions as purchase lines: canonical | online-retail
  --cutoff DATE         with --transactions: only purchases before DATE count (YYYY-MM-DD, UTC)

options:
  --unit U              days | weeks (default days): the time unit of recency, T and the parameters
  --penalizer X         L2 penalty on the parameters (default 0)
  --pareto              also fit the Pareto/NBD model (slower: numerical gradients)
  --json                print JSON instead of a table
  -h, --help            this help
`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      summary: { type: 'string' },
      transactions: { type: 'string' },
      format: { type: 'string' },
      cutoff: { type: 'string' },
      unit: { type: 'string', default: 'days' },
      penalizer: { type: 'string', default: '0' },
      json: { type: 'boolean', default: false },
      pareto: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.unit !== 'days' && values.unit !== 'weeks') throw new ValidationError(`--unit must be days or weeks, got '${values.unit}'`);
  const unit: TimeUnit = values.unit;
  const penalizer = Number(values.penalizer);
  if (!(penalizer >= 0) || !Number.isFinite(penalizer)) throw new ValidationError(`--penalizer must be a number ≥ 0, got '${values.penalizer}'`);
  if ((values.summary === undefined) === (values.transactions === undefined)) {
    process.stderr.write(`retain clv fit: give exactly one of --summary or --transactions\n\n${HELP}`);
    return 2;
  }

  const { data, source } = values.summary !== undefined ? await fromSummary(values.summary, unit) : await fromTransactions(values, unit);
  const started = performance.now();
  const purchases = fitBgNbd(data, { penalizer });
  const purchasesMs = performance.now() - started;
  let spend: GammaGammaFit | undefined;
  let spendMs = 0;
  if (data.monetary && hasRepeatSpend(data)) {
    const t = performance.now();
    spend = fitGammaGamma(data, { penalizer });
    spendMs = performance.now() - t;
  }
  const fits: Fitted[] = [{ key: 'bgNbd', title: `BG/NBD (r, alpha in ${unit}; a, b dropout)`, fit: purchases, ms: purchasesMs }];
  if (values.pareto) {
    const t = performance.now();
    const pareto = fitParetoNbd(data, { penalizer });
    fits.push({ key: 'paretoNbd', title: `Pareto/NBD (r, alpha, s, beta in ${unit})`, fit: pareto, ms: performance.now() - t });
  }
  if (spend) fits.push({ key: 'gammaGamma', title: 'Gamma-Gamma (p, q, v)', fit: spend, ms: spendMs });
  const report = { source, unit, customers: data.frequency.length, ...Object.fromEntries(fits.map((f) => [f.key, describe(f.fit, f.ms)])) };
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : table(report.customers, unit, fits));
  return 0;
}

async function fromSummary(path: string, unit: TimeUnit): Promise<{ data: RepeatSummary; source: string }> {
  const table = await readRepeatSummaryCsv(path, unit);
  return { data: table, source: path };
}

async function fromTransactions(
  values: { transactions?: string; format?: string; cutoff?: string },
  unit: TimeUnit,
): Promise<{ data: RepeatSummary; source: string }> {
  const path = values.transactions!;
  if (values.cutoff === undefined) throw new ValidationError('--transactions needs --cutoff DATE (only purchases before it count)');
  const cutoff = parseTimestamp(values.cutoff);
  if (!Number.isFinite(cutoff)) throw new ValidationError(`--cutoff '${values.cutoff}' is not a date (YYYY-MM-DD)`);
  let log;
  let hasValues = true;
  if (values.format !== undefined) {
    if (values.format !== 'canonical' && values.format !== 'online-retail') throw new ValidationError(`--format must be canonical or online-retail, got '${values.format}'`);
    log = (await readPurchaseLog(path, values.format as PurchaseFormat)).log;
  } else {
    ({ log, hasValues } = await readTransactionsCsv(path));
  }
  const summary = summarizeCustomers(log, cutoff, unit);
  if (summary.frequency.length === 0) throw new ValidationError(`no purchases before the cutoff ${values.cutoff} in ${path}`);
  const { monetary, ...rest } = summary;
  return { data: hasValues ? summary : rest, source: `${path} before ${new Date(cutoff).toISOString()}` };
}

function hasRepeatSpend(data: RepeatSummary): boolean {
  return data.frequency.some((x) => x > 0);
}

interface Fitted {
  key: string;
  title: string;
  fit: BgNbdFit | ParetoNbdFit | GammaGammaFit;
  ms: number;
}

function describe(fit: Fitted['fit'], ms: number) {
  return { params: fit.params, logLikelihood: fit.logLikelihood, converged: fit.converged, iterations: fit.iterations, fitMs: Math.round(ms * 10) / 10, diagnostics: fit.diagnostics };
}

function table(customers: number, unit: TimeUnit, fits: Fitted[]): string {
  const lines = [`${customers} customers, time unit: ${unit}`];
  for (const { title, fit, ms } of fits) {
    const d = fit.diagnostics;
    lines.push('', title);
    for (const [name, value] of Object.entries(fit.params)) lines.push(`  ${name.padEnd(16)} ${Number(value).toPrecision(7)}`);
    lines.push(`  ${'log-likelihood'.padEnd(16)} ${fit.logLikelihood.toFixed(4)}`);
    lines.push(`  ${'converged'.padEnd(16)} ${fit.converged ? 'yes' : 'no'} (${d.method}, ${d.reason}, ${fit.iterations} iterations, |gradient| ${d.gradientNorm.toExponential(1)}, ${ms.toFixed(1)} ms)`);
    lines.push(`  ${'customers'.padEnd(16)} ${d.customers} (${d.distinctRows} distinct rows)`);
    if (d.boundary.length > 0) lines.push(`  ${'boundary'.padEnd(16)} ${d.boundary.join(', ')}`);
    if (d.message) lines.push(`  note: ${d.message}`);
  }
  return `${lines.join('\n')}\n`;
}
