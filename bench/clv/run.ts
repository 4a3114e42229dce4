// BG/NBD fitting speed: CDNOW (2,357 customers, weeks) and 1,000,000 synthetic customers drawn
// from the model itself (days). Run: npx tsx bench/clv/run.ts [--customers N]
import { parseArgs } from 'node:util';
import { fitBgNbd, type BgNbdFit, type BgNbdParams } from '../../src/ml/bg-nbd.ts';
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

const cdnow = await readRepeatSummaryCsv('data/cdnow/cdnow_customers_summary.csv', 'weeks');
const progress = createProgress({ label: 'CDNOW fits', total: repeats + 5, unit: 'fits' });
const times: number[] = [];
let fit: BgNbdFit | undefined;
for (let k = 0; k < repeats + 5; k++) {
  const run = timed(() => fitBgNbd(cdnow));
  if (k >= 5) times.push(run.ms);
  fit = run.value;
  progress.update(k + 1);
}
progress.finish();
console.log(`CDNOW, 2,357 customers (weeks): median ${median(times).toFixed(2)} ms, min ${Math.min(...times).toFixed(2)} ms over ${repeats} fits after 5 warm-up fits`);
console.log(`  ${describe(fit!)}`);

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
