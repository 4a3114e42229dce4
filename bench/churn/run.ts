// Churn at scale: 1,000,000 synthetic customers (~10M order lines, BG/NBD-like, see
// synthetic-log.ts), full training (stacked windows, BG/NBD per window, network ensemble) and
// scoring of every customer (classifier, reasons, RFM, BG/NBD, Gamma-Gamma CLV). Goal: training +
// scoring ≤ 5 min on 2 cores, peak RSS ≤ 4 GB. Writing the scores to PostgreSQL is a separate,
// optional step (--db URL: a scratch database, its customers and customer_scores are replaced).
// Run: npx tsx bench/churn/run.ts [--customers N] [--db postgres://postgres@127.0.0.1:5432/bench]
// (--follow-base-rate: train as `retain train churn --follow-base-rate`)
import { parseArgs } from 'node:util';
import { migrate, openDatabase } from '../../src/db/client.ts';
import { backtestChurn, trainChurnModel } from '../../src/ml/churn/train.ts';
import { DAY_MS } from '../../src/ml/customers/purchase-log.ts';
import { initTf } from '../../src/ml/numeric/tf.ts';
import { createProgress } from '../../src/progress.ts';
import { writeCustomerScores } from '../../src/jobs/score-customers.ts';
import { scoreCustomers } from '../../src/services/customer-scoring.ts';
import { defaultShop, syntheticPurchaseLog } from './synthetic-log.ts';

const { values } = parseArgs({ options: { customers: { type: 'string', default: '1000000' }, db: { type: 'string' }, 'follow-base-rate': { type: 'boolean', default: false } } });
const customers = Number(values.customers);
const shop = { ...defaultShop, customers, maxLines: customers * 10 };
const horizonDays = 90;
const mb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
const secs = (t: number): string => ((performance.now() - t) / 1000).toFixed(1);

console.log(`tensorflow.js backend: ${await initTf()}`);
let t = performance.now();
const gen = createProgress({ label: 'generating customers', total: customers, unit: 'customers' });
const log = syntheticPurchaseLog(shop, (c) => gen.update(c));
gen.finish();
console.log(`generated ${customers.toLocaleString('en')} customers, ${log.time.length.toLocaleString('en')} order lines, ${log.orderCount.toLocaleString('en')} orders in ${secs(t)} s (peak RSS ${mb()} MB)`);

// Score 90 days before the end of the data, so the last 90 days are a holdout for a sanity check.
const cutoff = shop.start + (shop.days - horizonDays) * DAY_MS;
const started = performance.now();
t = performance.now();
const windows = createProgress({ label: 'building training windows', unit: 'windows' });
const train = createProgress({ label: 'training churn ensemble', total: 5, unit: 'members' });
let windowsDone = 0;
const training = await trainChurnModel(log, cutoff, { horizonDays, followBaseRate: values['follow-base-rate'] }, {
  onWindow: (k) => {
    windows.update(k);
    windowsDone = k;
  },
  onEpoch: (member) => {
    if (windowsDone >= 0) {
      windows.finish();
      windowsDone = -1;
    }
    train.update(member);
  },
});
train.finish();
const trainSecs = secs(t);
const rows = training.trainingWindows.reduce((s, w) => s + w.customers, 0);
console.log(`training: ${training.trainingWindows.length} windows, ${rows.toLocaleString('en')} stacked rows, ${training.fit.fitRows + training.fit.validationRows} used; ${trainSecs} s (peak RSS ${mb()} MB)`);

t = performance.now();
const model = { classifier: training.fit.classifier, horizonDays, bgNbdPenalizer: 0 };
const table = scoreCustomers(log, model, cutoff);
const score = createProgress({ label: 'building score rows', total: table.rows, unit: 'customers' });
let valueAtRisk = 0;
for (let i = 0; i < table.rows; i++) {
  valueAtRisk += table.row(i).valueAtRisk;
  if ((i & 0xffff) === 0) score.update(i);
}
score.finish();
const scoreSecs = secs(t);
console.log(`scoring: ${table.rows.toLocaleString('en')} customers in ${scoreSecs} s; tiers ${JSON.stringify(table.riskCounts)}; total value at risk ${Math.round(valueAtRisk).toLocaleString('en')} (peak RSS ${mb()} MB)`);
console.log(`TRAINING + SCORING: ${secs(started)} s, peak RSS ${mb()} MB`);

t = performance.now();
const bt = backtestChurn(log, training, cutoff + horizonDays * DAY_MS);
console.log(`holdout check (${secs(t)} s, churn rate ${bt.churnRate.toFixed(3)}):`);
for (const c of bt.comparison) console.log(`  ${c.score.padEnd(34)} ROC AUC ${c.rocAuc.toFixed(4)}  PR AUC ${c.prAuc.toFixed(4)}  Brier ${c.brier === null ? '—' : c.brier.toFixed(4)}`);

if (values.db) {
  const database = await openDatabase({ url: values.db, maxConnections: 2 });
  try {
    await migrate(database);
    t = performance.now();
    await database.withSession(async (s) => {
      await s.exec('DELETE FROM customer_scores; DELETE FROM customers');
      for (let i = 0; i < table.rows; i += 100_000) await s.copyIn('customers', ['external_id'], table.customerIds.slice(i, i + 100_000).join('\n') + '\n');
    });
    console.log(`db: ${table.rows.toLocaleString('en')} customers loaded with COPY in ${secs(t)} s`);
    for (const version of ['bench-1', 'bench-2']) {
      t = performance.now();
      const bar = createProgress({ label: 'writing customer_scores', total: table.rows, unit: 'rows' });
      const result = await writeCustomerScores(database, table, version, 'data', { onRows: (n) => bar.update(n) });
      bar.finish();
      console.log(`db: customer_scores replaced (${version}): ${result.written.toLocaleString('en')} rows in ${secs(t)} s (${database.engine}), peak RSS ${mb()} MB`);
    }
  } finally {
    await database.close();
  }
}
