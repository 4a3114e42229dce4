// Recommendation quality on a sparse shop (sparse-shop.ts: Online Retail's items copied per
// regional store, 15% of the customer-item pairs kept, density ~0.18%), REFERENCE.md protocol
// otherwise (cutoff 2011-09-09, inner window from 2011-06-09): popularity, item-kNN with and
// without the popularity tie-break, EASE lambda 500 and retain's selection, on the test.
//   npx tsx bench/quality/sparse.ts [--json]
import { parseArgs } from 'node:util';
import { readPurchaseLog } from '../../src/import/read-purchase-log.ts';
import type { ModelSpec } from '../../src/ml/cf/fit.ts';
import { evaluateSpec } from '../../src/ml/cf/offline-evaluation.ts';
import { selectModel } from '../../src/ml/cf/selection.ts';
import { splitByTime } from '../../src/ml/customers/split.ts';
import { initTf } from '../../src/ml/numeric/tf.ts';
import { specLabel } from '../../src/ml/cf/spec-label.ts';
import { density, SPARSE_SHOP, sparseShop } from './sparse-shop.ts';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
await initTf();
const { log } = await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail');
const shop = sparseShop(log);
const { train, test } = splitByTime(shop, Date.parse('2011-09-09T00:00:00Z'));
const started = performance.now();
const selection = selectModel(train, {
  plan: { mode: 'time', innerCutoff: Date.parse('2011-06-09T00:00:00Z'), stepDays: 46, folds: 2 },
  onTrial: (t) => process.stderr.write(`  validation ${specLabel(t.spec)}: ${t.ndcg.mean.toFixed(5)} ${t.pruned ? '(fold 1 only)' : `± ${t.ndcg.spread.toFixed(5)}`}\n`),
});
const selectionSeconds = (performance.now() - started) / 1000;
const fixed: [string, ModelSpec][] = [
  ['popularity', { algorithm: 'popularity' }],
  ['item-kNN 20, no tie-break (as before)', { algorithm: 'knn', neighbours: 20, prior: 0 }],
  ['item-kNN 20, popularity tie-break', { algorithm: 'knn', neighbours: 20 }],
  ['EASE λ 500', { algorithm: 'ease', lambda: 500 }],
  [`**selected: ${specLabel(selection.best)}**`, selection.best],
];
const rows = fixed.map(([name, spec]) => ({ name, spec, report: evaluateSpec(train, test, spec, 10).report }));
const popularity = rows[0]!.report.ndcg;
if (values.json) process.stdout.write(`${JSON.stringify({ shop: { ...SPARSE_SHOP, ...density(train) }, rows, selection, selectionSeconds }, null, 2)}\n`);
else {
  const d = density(train);
  const f = (x: number) => x.toFixed(5);
  const lines = [
    `sparse shop (${JSON.stringify(SPARSE_SHOP)}), train before 2011-09-09: ${d.customers} customers x ${d.items} items, ${d.pairs} pairs, density ${(d.density * 100).toFixed(3)}%; ${rows[0]!.report.users} test users`,
    '',
    '| model | P@10 | R@10 | nDCG@10 | MAP | vs popularity |',
    '|---|---|---|---|---|---|',
    ...rows.map(({ name, report: r }) => `| ${name} | ${f(r.precision)} | ${f(r.recall)} | ${f(r.ndcg)} | ${f(r.map)} | ${((r.ndcg / popularity - 1) * 100).toFixed(1)}% |`),
    '',
    `selection: ${selection.trials.length} candidates on ${selection.folds.join(' and ')} in ${selectionSeconds.toFixed(0)} s: ${selection.reason}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
