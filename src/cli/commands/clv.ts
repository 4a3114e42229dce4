// `retain clv fit`: fits BG/NBD (and Gamma-Gamma when spend is given) to a data scientist's own
// customer summary or transaction list and prints parameters, log-likelihood and diagnostics.
import { parseArgs } from 'node:util';
import { ValidationError } from '../../errors.ts';
import { fitClv, type ClvFit, type ClvFitReport, type ClvInput } from '../../jobs/fit-clv.ts';
import type { TimeUnit } from '../../ml/customers/summary.ts';
import { date, number, oneOf, purchaseFormat } from '../flags.ts';

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
  const unit = oneOf<TimeUnit>('--unit', values.unit, ['days', 'weeks']);
  const penalizer = number('--penalizer', values.penalizer, { zero: true });
  if ((values.summary === undefined) === (values.transactions === undefined)) {
    process.stderr.write(`retain clv fit: give exactly one of --summary or --transactions\n\n${HELP}`);
    return 2;
  }
  let input: ClvInput;
  if (values.summary !== undefined) {
    input = { summary: values.summary };
  } else {
    if (values.cutoff === undefined) throw new ValidationError('--transactions needs --cutoff DATE (only purchases before it count)');
    input = { transactions: values.transactions!, cutoff: date('--cutoff', values.cutoff), ...(values.format === undefined ? {} : { format: purchaseFormat(values.format) }) };
  }
  const report = await fitClv({ input, unit, penalizer, pareto: values.pareto });
  process.stdout.write(values.json ? `${JSON.stringify(asJson(report), null, 2)}\n` : table(report));
  return 0;
}

function asJson(report: ClvFitReport) {
  const { fits, ...rest } = report;
  return { ...rest, ...Object.fromEntries(fits.map((f) => [f.model, describe(f)])) };
}

function describe({ fit, ms }: ClvFit) {
  return { params: fit.params, logLikelihood: fit.logLikelihood, converged: fit.converged, iterations: fit.iterations, fitMs: Math.round(ms * 10) / 10, diagnostics: fit.diagnostics };
}

function title(model: ClvFit['model'], unit: TimeUnit): string {
  switch (model) {
    case 'bgNbd':
      return `BG/NBD (r, alpha in ${unit}; a, b dropout)`;
    case 'paretoNbd':
      return `Pareto/NBD (r, alpha, s, beta in ${unit})`;
    case 'gammaGamma':
      return 'Gamma-Gamma (p, q, v)';
  }
}

function table({ customers, unit, fits }: ClvFitReport): string {
  const lines = [`${customers} customers, time unit: ${unit}`];
  for (const { model, fit, ms } of fits) {
    const d = fit.diagnostics;
    lines.push('', title(model, unit));
    for (const [name, value] of Object.entries(fit.params)) lines.push(`  ${name.padEnd(16)} ${Number(value).toPrecision(7)}`);
    lines.push(`  ${'log-likelihood'.padEnd(16)} ${fit.logLikelihood.toFixed(4)}`);
    lines.push(`  ${'converged'.padEnd(16)} ${fit.converged ? 'yes' : 'no'} (${d.method}, ${d.reason}, ${fit.iterations} iterations, |gradient| ${d.gradientNorm.toExponential(1)}, ${ms.toFixed(1)} ms)`);
    lines.push(`  ${'customers'.padEnd(16)} ${d.customers} (${d.distinctRows} distinct rows)`);
    if (d.boundary.length > 0) lines.push(`  ${'boundary'.padEnd(16)} ${d.boundary.join(', ')}`);
    if (d.message) lines.push(`  note: ${d.message}`);
  }
  return `${lines.join('\n')}\n`;
}
