// Fitting speed of the customer-lifetime models: BG/NBD, Pareto/NBD and Gamma-Gamma on CDNOW
// (2,357 customers, weeks), and BG/NBD on 1,000,000 synthetic customers drawn from the model
// itself (days). Run: npx tsx bench/clv/run.ts [--customers N] [--repeats N]
import { parseArgs } from 'node:util';
import { fitBgNbd, type BgNbdFit, type BgNbdParams } from '../../src/ml/lifetime/bg-nbd.ts';
import { fitParetoNbd } from '../../src/ml/lifetime/pareto-nbd.ts';
import { fitGammaGamma } from '../../src/ml/lifetime/gamma-gamma.ts';
import { readRepeatSummaryCsv } from '../../src/import/repeat-summary-csv.ts';
import { createProgress } from '../../src/progress.ts';
import { syntheticSummary } from './synthetic.ts';

const { values } = parseArgs({ options: { customers: { type: 'string', default: '1000000' }, repeats: { type: 'string', default: '50' } } });
const customers = Number(values.customers);
const repeats = Number(values.repeats);

const timed = <T>(f: () => T): { value: T; ms: number } => {
  const t = performance.now();
  const value = f();
  return { value, ms: performance.now() - t };
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const show = (p: BgNbdParams): string => `r ${p.r.toPrecision(5)}, α ${p.alpha.toPrecision(5)}, a ${p.a.toPrecision(5)}, b ${p.b.toPrecision(5)}`;
const describe = (fit: BgNbdFit): string =>
  `${show(fit.params)}; LL ${fit.logLikelihood.toFixed(4)}; ${fit.iterations} iterations, ${fit.diagnostics.evaluations} evaluations, ${fit.converged ? 'converged' : 'NOT converged'} (${fit.diagnostics.reason})`;

const cdnow = await readRepeatSummaryCsv('data/cdnow/cdnow_customers_summary_with_transactions.csv', 'weeks');

/** Median and minimum time of `repeats` runs after 3 warm-up runs (JIT), with a progress line. */
function timeRuns<T>(label: string, runs: number, fit: () => T): { median: number; min: number; last: T } {
  const progress = createProgress({ label, total: runs + 3, unit: 'fits' });
  const times: number[] = [];
  let last: T | undefined;
  for (let k = 0; k < runs + 3; k++) {
    const run = timed(fit);
    if (k >= 3) times.push(run.ms);
    last = run.value;
    progress.update(k + 1);
  }
  progress.finish();
  return { median: median(times), min: Math.min(...times), last: last! };
}

const bg = timeRuns('BG/NBD on CDNOW', repeats, () => fitBgNbd(cdnow));
const pareto = timeRuns('Pareto/NBD on CDNOW', Math.max(3, Math.round(repeats / 10)), () => fitParetoNbd(cdnow));
const gg = timeRuns('Gamma-Gamma on CDNOW', repeats, () => fitGammaGamma(cdnow));
console.log(`CDNOW, 2,357 customers (weeks), median (min) fit time after 3 warm-up fits:`);
console.log(`  BG/NBD       ${bg.median.toFixed(2)} ms (${bg.min.toFixed(2)})   ${describe(bg.last)}`);
const pp = pareto.last.params;
console.log(
  `  Pareto/NBD   ${pareto.median.toFixed(1)} ms (${pareto.min.toFixed(1)})   r ${pp.r.toPrecision(5)}, α ${pp.alpha.toPrecision(5)}, s ${pp.s.toPrecision(5)}, β ${pp.beta.toPrecision(5)}; LL ${pareto.last.logLikelihood.toFixed(4)}`,
);
const gp = gg.last.params;
console.log(
  `  Gamma-Gamma  ${gg.median.toFixed(2)} ms (${gg.min.toFixed(2)})   p ${gp.p.toPrecision(5)}, q ${gp.q.toPrecision(5)}, v ${gp.v.toPrecision(5)}; LL ${gg.last.logLikelihood.toFixed(4)}`,
);

// CDNOW's fit expressed in days (α × 7), one calendar year of first purchases.
const truth: BgNbdParams = { r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426 };
for (const dayGrained of [true, false]) {
  const gen = timed(() => syntheticSummary(truth, { customers, days: 365, dayGrained, seed: 7 }));
  const run = timed(() => fitBgNbd(gen.value));
  const f = run.value;
  console.log(
    `${customers.toLocaleString('en')} synthetic customers (${dayGrained ? 'day-grained' : 'continuous times'}, ${f.diagnostics.distinctRows.toLocaleString('en')} distinct rows): fit ${(run.ms / 1000).toFixed(2)} s (generation ${(gen.ms / 1000).toFixed(1)} s, not counted)`,
  );
  console.log(`  true      ${show(truth)}`);
  console.log(`  recovered ${describe(f)}`);
}
