// The churn rate over the 92 days after a few cutoffs of Online Retail (customers with an order
// before the cutoff, churned = no order in the horizon): what a base rate moved to the customers at
// a cutoff should be compared with. The horizon after 2010-12-10 is the only post-Christmas one in
// the data.
//   npx tsx bench/quality/experiments/season-churn.ts
import { readPurchaseLog } from '../../../src/import/read-purchase-log.ts';
import { churnInputsAt } from '../../../src/ml/churn/inputs.ts';
import { churnLabels } from '../../../src/ml/churn/windows.ts';
import { DAY_MS } from '../../../src/ml/customers/purchase-log.ts';
import { initTf } from '../../../src/ml/numeric/tf.ts';

await initTf();
const { log } = await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail');
for (const day of ['2010-12-10', '2011-01-10', '2011-06-09', '2011-09-09']) {
  const cutoff = Date.parse(`${day}T00:00:00Z`);
  const customers = churnInputsAt(log, cutoff, 92).summary.customer;
  const churned = churnLabels(log, customers, cutoff, cutoff + 92 * DAY_MS);
  process.stdout.write(`${day}: ${customers.length} customers, churn rate over the next 92 days ${(churned.reduce((s, v) => s + v, 0) / churned.length).toFixed(3)}\n`);
}
